#!/usr/bin/perl
# Runs the test vectors through the Perl module and prints the trace
# (tests/vectors/README.md, "The trace"), for vectors_agree:
#   perl -I BUILD/perl -I t/lib vector_run.pl SIGNATURES VECTOR...
# One trace line per step on stdout, a mismatch on stderr, exit status 1
# when a vector failed.
use strict;
use warnings;

use OpenbitsVectors;

die "usage: $0 SIGNATURES VECTOR...\n" if @ARGV < 2;
$| = 1;
my ($signatures, @files) = @ARGV;
my $table = OpenbitsVectors::parse_signatures(OpenbitsVectors::slurp($signatures));
my $failures = 0;
for my $path (@files) {
    my ($calls, $skipped) = eval { OpenbitsVectors::run_file($path, $table, sub { print "$_[0]\n" }) };
    if (defined $calls) {
        print "ok   $path: $calls calls, $skipped skipped\n";
    } else {
        print STDERR $@;
        print "FAIL $path\n";
        $failures++;
    }
}
printf "%d of %d vector files passed\n", @files - $failures, scalar @files;
exit($failures ? 1 : 0);
