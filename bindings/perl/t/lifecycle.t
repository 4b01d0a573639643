# Smoke test of the Perl binding: the job life cycle and GetState through
# the module SWIG generates from bindings/swig/openbits.i. No network: the
# file's source is a local path that does not exist, so nothing is fetched.
use strict;
use warnings;
use File::Temp qw(tempdir);
use Test::More;

use openbits;

# A failed call dies with an openbits::Error; this returns its name.
sub error_of {
    my ($code) = @_;
    eval { $code->(); 1 } and return 'no error';
    isa_ok($@, 'openbits::Error');
    return $@->{name};
}

my $tmp = tempdir(CLEANUP => 1);
my ($hr, $mgr) = openbits::bits_manager_open(undef, $openbits::BITS_MANAGER_OPEN_IN_MEMORY);
is($hr, $openbits::BITS_S_OK, 'in-memory manager opened');

my ($created, $id, $job) = openbits::bits_manager_create_job($mgr, 'perl', $openbits::BG_JOB_TYPE_DOWNLOAD);
is($created, $openbits::BITS_S_OK, 'job created');
like($id, qr/^\{[0-9a-f-]{36}\}$/, 'the id comes back as GUID text');

my ($ok, $state) = openbits::bits_job_get_state($job);
is($state, $openbits::BG_JOB_STATE_SUSPENDED, 'a new job is SUSPENDED');

# GetState on a NULL job: BITS_E_INVALIDARG, with the unsigned code.
is(error_of(sub { openbits::bits_job_get_state(undef) }), 'BITS_E_INVALIDARG', 'NULL job');
is($@->{hresult}, 0x80070057, 'the code is unsigned, as BITS documents it');
is($@->{hresult}, $openbits::BITS_E_INVALIDARG, 'and matches the constant');

is(error_of(sub { openbits::bits_job_resume($job) }), 'BG_E_EMPTY', 'Resume without files');
is((openbits::bits_job_get_state($job))[1], $openbits::BG_JOB_STATE_SUSPENDED, 'still SUSPENDED');

is(openbits::bits_job_add_file($job, "$tmp/missing-source", "$tmp/a.bin"), $openbits::BITS_S_OK,
   'file added');
is(error_of(sub { openbits::bits_job_add_file($job, 'http://127.0.0.1:9/x', 'relative') }),
   'BITS_E_INVALIDARG', 'a relative local name is refused');
is(openbits::bits_job_resume($job), $openbits::BITS_S_OK, 'Resume');
is(openbits::bits_job_suspend($job), $openbits::BITS_S_OK, 'Suspend');
is((openbits::bits_job_get_state($job))[1], $openbits::BG_JOB_STATE_SUSPENDED, 'SUSPENDED again');

my ($got, $name) = openbits::bits_job_get_display_name($job);
is($name, 'perl', 'strings come back and are freed by the wrapper');

is(openbits::bits_job_cancel($job), $openbits::BITS_S_OK, 'Cancel');
is((openbits::bits_job_get_state($job))[1], $openbits::BG_JOB_STATE_CANCELLED, 'CANCELLED');
is(error_of(sub { openbits::bits_job_resume($job) }), 'BG_E_INVALID_STATE', 'no Resume after Cancel');
is(error_of(sub { openbits::bits_manager_get_job($mgr, $id) }), 'BG_E_NOT_FOUND',
   'a cancelled job has left the queue');

# Complete with no file: ACKNOWLEDGED.
my (undef, undef, $done) = openbits::bits_manager_create_job($mgr, 'done', 0);
is(openbits::bits_job_complete($done), $openbits::BITS_S_OK, 'Complete');
is((openbits::bits_job_get_state($done))[1], $openbits::BG_JOB_STATE_ACKNOWLEDGED, 'ACKNOWLEDGED');

# The enumerator, one job per call as bindings see it.
my (undef, $enum) = openbits::bits_manager_enum_jobs($mgr, 0);
is((openbits::bits_job_enum_get_count($enum))[1], 0, 'no job left in the queue');
my ($end, $none) = openbits::bits_job_enum_next_one($enum);
is($end, $openbits::BITS_S_FALSE, 'BITS_S_FALSE at the end');
ok(!defined $none, 'and no job');
openbits::bits_job_enum_free($enum);

openbits::bits_job_release($_) for $job, $done;
openbits::bits_manager_close($mgr);
done_testing();
