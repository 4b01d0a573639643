# The cross-language test vectors (tests/vectors/, format in its
# README.md) through the Perl module, one test per file; the same lines
# the C runners check. t/lib/OpenbitsVectors.pm is the runner;
# vector_run.pl prints its trace for vectors_agree.
use strict;
use warnings;
use FindBin;
use Test::More;

use OpenbitsVectors;

my $dir = "$FindBin::Bin/../../../tests/vectors";
my $table = OpenbitsVectors::parse_signatures(OpenbitsVectors::slurp("$dir/signatures.txt"));
my @files = sort glob "$dir/*.vec";
ok(@files >= 7, 'the vector files are found');
for my $path (@files) {
    my ($calls, $skipped) = eval { OpenbitsVectors::run_file($path, $table) };
    if (defined $calls) {
        ok($calls > 0, "$path: $calls calls, $skipped lines the binding cannot express");
    } else {
        fail($path);
        diag($@);
    }
}

# The parser refuses what the C and Python parsers refuse (malformed.txt).
open my $fh, '<:raw', "$dir/malformed.txt" or die "malformed.txt: $!";
my $refused = 0;
while (my $line = <$fh>) {
    chomp $line;
    next if $line =~ /^#/ || $line eq '';
    my $parsed = eval { OpenbitsVectors::parse_vectors($line); 1 };
    ok(!$parsed, "malformed: $line");
    $refused++;
}
ok($refused > 5, "$refused malformed lines refused");
done_testing();
