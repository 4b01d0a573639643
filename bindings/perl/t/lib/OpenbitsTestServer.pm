package OpenbitsTestServer;
# The loopback test HTTP server (python_tests/server/openbits_test_server.py)
# as a subprocess, for the Perl tests: started with a --config file of
# contents and behaviours (python_tests/server/README.md), stopped
# (SIGTERM, then waited for) when the object goes. The script and the
# interpreter come from $OPENBITS_TEST_SERVER and $OPENBITS_PYTHON (set
# by CTest), as for the C tests (tests/http_server.c).
#
#   my $server = OpenbitsTestServer->start([{path => '/a.bin', size => 1000}]);
#   my $url = $server->url('/a.bin');
use strict;
use warnings;
use File::Temp qw(tempdir);
use POSIX ();
use Time::HiRes ();

sub _json {    # enough JSON for the config: hashes, arrays, numbers, strings
    my ($v) = @_;
    return '{' . join(',', map { _json("$_") . ':' . _json($v->{$_}) } sort keys %$v) . '}' if ref $v eq 'HASH';
    return '[' . join(',', map { _json($_) } @$v) . ']' if ref $v eq 'ARRAY';
    return $v if $v =~ /^-?[0-9]+(\.[0-9]+)?$/;
    (my $s = $v) =~ s/(["\\])/\\$1/g;
    return "\"$s\"";
}

sub start {
    my ($class, $config) = @_;
    my $script = $ENV{OPENBITS_TEST_SERVER} or die "OPENBITS_TEST_SERVER is not set\n";
    my $python = $ENV{OPENBITS_PYTHON} || '/usr/bin/python3';
    my $dir = tempdir('openbits-server-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    my $cfg = "$dir/config.json";
    open my $fh, '>', $cfg or die "$cfg: $!";
    print $fh _json($config);
    close $fh;
    mkdir "$dir/www";
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        { exec $python, $script, '--port', '0', '--port-file', "$dir/port", '--root', "$dir/www",
            '--config', $cfg, '--lifetime', '120' };
        POSIX::_exit(127);
    }
    my $self = bless { pid => $pid, dir => $dir }, $class;
    for (1 .. 200) {    # up to 10 s
        if (open my $p, '<', "$dir/port") {
            my $port = <$p>;
            if (defined $port && $port =~ /^(\d+)/) {
                $self->{port} = $1;
                return $self;
            }
        }
        Time::HiRes::sleep(0.05);
    }
    die "the test server did not start\n";
}

sub url { "http://127.0.0.1:$_[0]{port}$_[1]" }

sub stop {
    my ($self) = @_;
    return unless $self->{pid};
    kill 'TERM', $self->{pid};
    waitpid $self->{pid}, 0;
    delete $self->{pid};
}

sub DESTROY { $_[0]->stop }

1;
