# Events in Perl, over real HTTP to the loopback test server: a job of
# each kind is driven through the library's engine, and the nine BITS
# states are observed through the job callbacks, which run on this
# thread only, inside openbits_wait_events (the manager is opened with
# BITS_MANAGER_OPEN_EVENT_FD). Also: a callback that dies makes the
# dispatching call die, a manager without the flag never enters Perl
# from the library's thread, and failed calls die with openbits::Error.
use strict;
use warnings;
use File::Temp qw(tempdir);
use Test::More;
use Time::HiRes ();

use openbits;
use OpenbitsTestServer;

my $server = OpenbitsTestServer->start([
    { path => '/t.bin', size => 200_000 },
    { path => '/slow.bin', size => 4_000_000, generator => 'fast' },
    { path => '/busy.bin', size => 1_000, statuses => [503], delay => 1 },
]);
my $dest = tempdir(CLEANUP => 1);
my @STATE = qw(QUEUED CONNECTING TRANSFERRING SUSPENDED ERROR TRANSIENT_ERROR TRANSFERRED
               ACKNOWLEDGED CANCELLED);

my (undef, $mgr) = openbits::bits_manager_open(undef,
    $openbits::BITS_MANAGER_OPEN_IN_MEMORY | $openbits::BITS_MANAGER_OPEN_EVENT_FD);
my (%states, %errors, %mark, $outside, $manager_events);
my $dispatching = 0;
is(openbits::openbits_set_manager_callback($mgr, sub { $manager_events++ }), $openbits::BITS_S_OK,
   'a manager callback on an fd-mode manager');

# A job downloading PATH, whose events record the states they carry.
sub job_for {
    my ($name, $path) = @_;
    my (undef, undef, $job) = openbits::bits_manager_create_job($mgr, $name, $openbits::BG_JOB_TYPE_DOWNLOAD);
    openbits::bits_job_add_file($job, $server->url($path), "$dest/$name");
    openbits::bits_job_set_notify_flags($job, $openbits::BG_NOTIFY_JOB_TRANSFERRED | $openbits::BG_NOTIFY_JOB_ERROR
                                              | $openbits::BG_NOTIFY_JOB_MODIFICATION);
    openbits::openbits_set_job_callback($job, sub {
        my ($kind, $state, $code, $ev_job, $file) = @_;
        $outside++ unless $dispatching;
        my (undef, $display) = openbits::bits_job_get_display_name($ev_job);  # the handle works
        push @{ $states{$display} }, $state;
        $errors{$display} = $code if $kind == $openbits::BITS_EVENT_JOB_ERROR;
    });
    return $job;
}

# Later checks of NAME look only at the events after this point (taken
# before an action, so an earlier event cannot answer for it).
sub mark { $mark{ $_[0] } = scalar @{ $states{ $_[0] } || [] } }

# Dispatches on this thread until NAME's events since its mark brought
# STATE (20 s at most).
sub reach {
    my ($name, $state) = @_;
    my $deadline = Time::HiRes::time() + 20;
    my $since = sub { my @all = @{ $states{$name} || [] }; @all[ ($mark{$name} // 0) .. $#all ] };
    while (!grep { $_ == $state } $since->()) {
        if (Time::HiRes::time() > $deadline) {
            fail("$name: no $STATE[$state] event in 20 s (got @{[ map { $STATE[$_] } @{ $states{$name} || [] } ]})");
            return 0;
        }
        $dispatching = 1;
        openbits::openbits_wait_events($mgr, 100);
        $dispatching = 0;
    }
    pass("$name: $STATE[$state] through an event");
    return 1;
}

my $done = job_for('done', '/t.bin');
mark('done');
openbits::bits_job_resume($done);
reach('done', $openbits::BG_JOB_STATE_TRANSFERRED);
mark('done');
openbits::bits_job_complete($done);
reach('done', $openbits::BG_JOB_STATE_ACKNOWLEDGED);
ok(-s "$dest/done" == 200_000, 'the completed file is there');

my $missing = job_for('missing', '/missing.bin');
mark('missing');
openbits::bits_job_resume($missing);
reach('missing', $openbits::BG_JOB_STATE_ERROR);
is($errors{missing}, 0x80190194, 'JOB_ERROR carries BG_E_HTTP_ERROR_404, unsigned');
is($errors{missing}, $openbits::BG_E_HTTP_ERROR_404, 'the same number as the constant');
mark('missing');
openbits::bits_job_cancel($missing);
reach('missing', $openbits::BG_JOB_STATE_CANCELLED);

my $busy = job_for('busy', '/busy.bin');
mark('busy');
openbits::bits_job_resume($busy);
reach('busy', $openbits::BG_JOB_STATE_CONNECTING);
reach('busy', $openbits::BG_JOB_STATE_TRANSIENT_ERROR);
openbits::bits_job_cancel($busy);

my $slow = job_for('slow', '/slow.bin');
openbits::bits_job_set_max_bandwidth($slow, 200_000);
mark('slow');
openbits::bits_job_resume($slow);
reach('slow', $openbits::BG_JOB_STATE_QUEUED);
reach('slow', $openbits::BG_JOB_STATE_TRANSFERRING);
mark('slow');
openbits::bits_job_suspend($slow);
reach('slow', $openbits::BG_JOB_STATE_SUSPENDED);
mark('slow');
openbits::bits_job_cancel($slow);
reach('slow', $openbits::BG_JOB_STATE_CANCELLED);

my %all = map { $_ => 1 } map { @$_ } values %states;
is_deeply([ map { $STATE[$_] } sort { $a <=> $b } keys %all ], \@STATE, 'all nine states came through events');
ok(!$outside, 'every callback ran inside openbits_wait_events, on this thread');
ok($manager_events > 10, "the manager callback saw them too ($manager_events events)");

# A callback that dies: the dispatching call dies with its error.
my $doomed = job_for('doomed', '/t.bin');
openbits::openbits_set_job_callback($doomed, sub { die "callback failed\n" if $_[1] == $openbits::BG_JOB_STATE_TRANSFERRED });
openbits::bits_job_resume($doomed);
my $died;
for (1 .. 200) {
    last if $died = !eval { openbits::openbits_wait_events($mgr, 100); 1 };
}
is($@, "callback failed\n", 'a die in a callback comes out of openbits_wait_events');
is(openbits::openbits_set_job_callback($doomed, undef), $openbits::BITS_S_OK, 'a callback is removed with undef');
openbits::bits_job_cancel($doomed);

openbits::bits_job_release($_) for $done, $missing, $busy, $slow, $doomed;
openbits::bits_manager_close($mgr);

# Failed calls die with an object carrying the code and its name.
{
    my (undef, $m) = openbits::bits_manager_open(undef, $openbits::BITS_MANAGER_OPEN_IN_MEMORY);
    my (undef, undef, $empty) = openbits::bits_manager_create_job($m, 'empty', 0);
    eval { openbits::bits_job_resume($empty) };
    isa_ok($@, 'openbits::Error');
    is($@->{hresult}, $openbits::BG_E_EMPTY, 'the unsigned code');
    is($@->{name}, 'BG_E_EMPTY', 'its name');
    like("$@", qr/^BG_E_EMPTY \(0x80200003\): /, 'and it reads as one');
    is(openbits::bits_hresult_name($openbits::BG_E_NOT_FOUND), 'BG_E_NOT_FOUND', 'a constant names its code');
    is(openbits::bits_hresult_name(-2145386495), 'BG_E_NOT_FOUND', 'the signed number too');

    # Without BITS_MANAGER_OPEN_EVENT_FD the library would call back on
    # its own thread: the manager callback is refused, a job's events
    # are dropped and counted, Perl is never entered there.
    eval { openbits::openbits_set_manager_callback($m, sub { fail('entered from another thread') }) };
    is(ref $@ && $@->{name}, 'BG_E_INVALID_STATE', 'no manager callback without the event fd');
    my $source = "$dest/source.txt";
    open my $fh, '>', $source or die;
    print $fh "twelve bytes";
    close $fh;
    my (undef, undef, $copy) = openbits::bits_manager_create_job($m, 'copy', 0);
    openbits::bits_job_add_file($copy, $source, "$dest/copy.txt");
    my $before = openbits::openbits_dropped_events();
    openbits::openbits_set_job_callback($copy, sub { fail('entered from another thread') });
    openbits::bits_job_resume($copy);
    my $state = 0;
    for (1 .. 500) {
        (undef, $state) = openbits::bits_job_get_state($copy);
        last if $state == $openbits::BG_JOB_STATE_TRANSFERRED && openbits::openbits_dropped_events() > $before;
        Time::HiRes::sleep(0.02);
    }
    is($state, $openbits::BG_JOB_STATE_TRANSFERRED, 'the copy transferred');
    ok(openbits::openbits_dropped_events() > $before, 'its event was dropped, not delivered on the library thread');
    openbits::openbits_set_job_callback($copy, undef);
    openbits::bits_job_cancel($copy);
    openbits::bits_job_release($_) for $copy, $empty;
    openbits::bits_manager_close($m);
}

$server->stop;
done_testing();
