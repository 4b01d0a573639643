# Strings with an embedded NUL are refused, never cut: a Perl string may
# hold "\0", a C string ends there, so "a\0b" would reach the library as
# "a" (a local name ".../nul\0/../../etc/x" as ".../nul"). openbits.i's
# string typemap dies with an openbits::Error for BITS_E_INVALIDARG
# before the call, as python_tests/test_nul.py checks for Python.
use strict;
use warnings;
use File::Temp qw(tempdir);
use Test::More;

use openbits;

# Runs $code; returns the openbits::Error's name it died with.
sub error_of {
    my ($code) = @_;
    eval { $code->(); 1 } and return 'no error';
    return ref($@) eq 'openbits::Error' ? $@->{name} : "not an openbits::Error: $@";
}

my $tmp = tempdir(CLEANUP => 1);
my (undef, $mgr) = openbits::bits_manager_open(undef, $openbits::BITS_MANAGER_OPEN_IN_MEMORY);
my (undef, $id, $job) = openbits::bits_manager_create_job($mgr, 'clean', 0);
openbits::bits_job_add_file($job, 'http://127.0.0.1:9/f', "$tmp/f");
my (undef, $files) = openbits::bits_job_enum_files($job);
my (undef, $file) = openbits::bits_file_enum_next_one($files);
openbits::bits_file_enum_free($files);

my %calls = (
    'bits_manager_open'             => sub { openbits::bits_manager_open("$tmp/s$_[0]", 0) },
    'bits_manager_create_job'       => sub { openbits::bits_manager_create_job($mgr, $_[0], 0) },
    'bits_manager_get_job'          => sub { openbits::bits_manager_get_job($mgr, "$id$_[0]") },
    'bits_job_add_file remote'      => sub { openbits::bits_job_add_file($job, "http://127.0.0.1:9/g$_[0]", "$tmp/g") },
    'bits_job_add_file local'       => sub { openbits::bits_job_add_file($job, 'http://127.0.0.1:9/g', "$tmp/nul$_[0]/../../etc/x") },
    'bits_job_set_display_name'     => sub { openbits::bits_job_set_display_name($job, $_[0]) },
    'bits_job_set_description'      => sub { openbits::bits_job_set_description($job, $_[0]) },
    'bits_job_set_notify_cmd_line'  => sub { openbits::bits_job_set_notify_cmd_line($job, "/bin/true$_[0]", undef) },
    'bits_job_set_proxy_settings'   => sub { openbits::bits_job_set_proxy_settings($job, $openbits::BG_JOB_PROXY_USAGE_OVERRIDE, "p:3128$_[0]", undef) },
    'bits_job_set_credentials'      => sub { openbits::bits_job_set_credentials($job, 1, 1, 'user', "pw$_[0]") },
    'bits_job_set_custom_headers'   => sub { openbits::bits_job_set_custom_headers($job, "X-A: 1$_[0]") },
    'bits_file_set_remote_name'     => sub { openbits::bits_file_set_remote_name($file, "http://127.0.0.1:9/r$_[0]") },
    'bits_guid_from_string'         => sub { openbits::bits_guid_from_string("$id$_[0]") },
);
for my $name (sort keys %calls) {
    for my $nul ("\0", "\0tail", "\x{e9}\0\x{20ac}") {
        is(error_of(sub { $calls{$name}->($nul) }), 'BITS_E_INVALIDARG', "$name refuses a NUL");
        is($@->{hresult}, 0x80070057, "$name: the code") if ref $@;
    }
}

# Nothing was changed, and the same calls without the NUL still work.
is((openbits::bits_job_get_display_name($job))[1], 'clean', 'the name was not cut to ""');
my (undef, $count_enum) = openbits::bits_job_enum_files($job);
is((openbits::bits_file_enum_get_count($count_enum))[1], 1, 'no file was added');
openbits::bits_file_enum_free($count_enum);
is((openbits::bits_file_get_remote_name($file))[1], 'http://127.0.0.1:9/f', 'the URL is unchanged');
is(openbits::bits_job_set_display_name($job, "clean \x{20ac}"), $openbits::BITS_S_OK, 'a clean string is taken');

openbits::bits_file_release($file);
openbits::bits_job_cancel($job);
openbits::bits_job_release($job);
openbits::bits_manager_close($mgr);
done_testing();
