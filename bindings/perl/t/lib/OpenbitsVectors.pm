package OpenbitsVectors;
# The test vectors of tests/vectors/ (format in its README.md) through the
# Perl module openbits: the Perl twin of python_tests/vector_format.py
# (the parser), vector_exec.py (the executor) and the SWIG backend of
# test_vectors_swig.py. t/vectors.t runs it under prove; t/vector_run.pl
# prints its trace for vectors_agree.
#
#   my ($calls, $skipped) = OpenbitsVectors::run_file($path, $sigs, \&trace);
#
# Strings are byte strings throughout (a vector may hold any bytes; Perl
# passes them to the library as they are). The binding hides
# out-parameters, so a line passing NULL for one is skipped when it
# expects a failure (it changes nothing); bits_*_enum_next runs as celt
# calls of bits_*_enum_next_one, the form the binding offers.
use strict;
use warnings;
no warnings 'portable';    # hexadecimal numbers above 32 bits
use File::Basename qw(basename);
use File::Temp qw(tempdir);
use Time::HiRes ();

use openbits;

my $MAX_STRING = 1 << 20;
my $MAX_TOKENS = 16;
my @HANDLE_TYPES = qw(manager job file job_enum file_enum error);
my %PLAIN_TYPES = map { $_ => 1 } qw(void hresult u32 u64 cstr str guid ptr
    out_u32 out_u64 out_hresult out_str out_guid);

# ---- the parser ---------------------------------------------------------------

sub _syntax { die "line $_[0]: $_[1]\n" }

sub _number {
    my ($line, $pos, $lineno) = @_;
    pos($$line) = $pos;
    $$line =~ /\G(0[xX][0-9a-fA-F]+|[0-9]+)/gc or _syntax($lineno, 'malformed number');
    my $text = $1;
    my $end = pos($$line);
    my $value;
    if ($text =~ /^0[xX]0*([0-9a-fA-F]*)$/) {
        _syntax($lineno, 'number too large') if length($1) > 16;
        $value = length($1) ? hex($1) : 0;
    } else {
        (my $digits = $text) =~ s/^0+(?=\d)//;
        _syntax($lineno, 'number too large')
            if length($digits) > 20 || (length($digits) == 20 && $digits gt '18446744073709551615');
        $value = $digits + 0;    # exact: Perl keeps an integer that fits in 64 bits
    }
    return ($value, $end);
}

my %ESCAPES = (n => "\n", r => "\r", t => "\t", '\\' => '\\', '"' => '"');

sub _string {
    my ($line, $pos, $lineno) = @_;
    my $out = '';
    $pos++;
    while (1) {
        _syntax($lineno, 'unterminated string') if $pos >= length $$line;
        my $ch = substr($$line, $pos++, 1);
        last if $ch eq '"';
        if ($ch eq '\\') {
            my $e = substr($$line, $pos, 1);
            if (exists $ESCAPES{$e}) {
                $out .= $ESCAPES{$e};
                $pos++;
            } elsif ($e eq 'x' && substr($$line, $pos + 1, 2) =~ /^[0-9a-fA-F]{2}$/) {
                $out .= chr hex substr($$line, $pos + 1, 2);
                $pos += 3;
            } else {
                _syntax($lineno, "unknown escape \\$e");
            }
            next;
        }
        $out .= $ch;
    }
    my $times = 1;
    ($times, $pos) = _number($line, $pos + 1, $lineno) if substr($$line, $pos, 1) eq '*';
    _syntax($lineno, 'string repetition out of range')
        if $times == 0 || length($out) * $times > $MAX_STRING;
    return ({ kind => 'STR', value => $out x $times }, $pos);
}

# The tokens of one line; undef stands for "=>".
sub _tokens {
    my ($line, $lineno) = @_;
    my @toks;
    my $pos = 0;
    my $len = length $line;
    while (1) {
        $pos++ while $pos < $len && substr($line, $pos, 1) =~ /[ \t\r]/;
        last if $pos >= $len || substr($line, $pos, 1) eq '#';
        my $ch = substr($line, $pos, 1);
        my $tok;
        if ($ch eq '"') {
            ($tok, $pos) = _string(\$line, $pos, $lineno);
        } elsif (substr($line, $pos, 2) eq '=>') {
            ($tok, $pos) = (undef, $pos + 2);
        } elsif ($ch eq '*') {
            ($tok, $pos) = ({ kind => 'ANY' }, $pos + 1);
        } elsif ($ch =~ /[0-9]/) {
            my $value;
            ($value, $pos) = _number(\$line, $pos, $lineno);
            $tok = { kind => 'INT', value => $value };
        } elsif ($ch eq '$' || $ch eq '&' || $ch =~ /[A-Za-z0-9_]/) {
            my $start = $ch eq '$' || $ch eq '&' ? $pos + 1 : $pos;
            substr($line, $start) =~ /^([A-Za-z0-9_]+)/
                or _syntax($lineno, "a name is expected after '$ch'");
            my $word = $1;
            $pos = $start + length $word;
            $tok = $ch eq '$' ? { kind => 'REF', value => $word }
                 : $ch eq '&' ? { kind => 'BIND', value => $word }
                 : $word eq 'NULL' ? { kind => 'NULL', value => $word }
                 : $word eq 'out' ? { kind => 'OUT', value => $word }
                 : { kind => 'NAME', value => $word };
        } else {
            _syntax($lineno, sprintf("unexpected character '%s'", $ch));
        }
        _syntax($lineno, 'a blank is expected after a token')
            if $pos < $len && substr($line, $pos, 1) !~ /[ \t\r#]/;
        push @toks, [$tok];
    }
    return @toks;
}

# The steps of a .vec file given as bytes.
sub parse_vectors {
    my ($data) = @_;
    my @steps;
    my $lineno = 0;
    for my $line (split /\n/, $data, -1) {
        $lineno++;
        _syntax($lineno, 'NUL byte in the line') if index($line, "\0") >= 0;
        my $step;
        for my $boxed (_tokens($line, $lineno)) {
            my $tok = $boxed->[0];
            if (!$step) {
                _syntax($lineno, 'a function name is expected first') if !$tok || $tok->{kind} ne 'NAME';
                $step = { line => $lineno, call => $tok->{value}, args => [], has_expect => 0,
                          ret => undef, outs => [] };
            } elsif (!$tok) {
                _syntax($lineno, "'=>' must follow the arguments") if $step->{has_expect};
                $step->{has_expect} = 1;
            } elsif (!$step->{has_expect}) {
                _syntax($lineno, 'this token is not an argument')
                    unless $tok->{kind} =~ /^(NULL|INT|STR|REF|OUT)$/;
                _syntax($lineno, 'too many tokens') if @{ $step->{args} } == $MAX_TOKENS;
                push @{ $step->{args} }, $tok;
            } elsif (!$step->{ret}) {
                _syntax($lineno, 'a code name, number or * is expected')
                    unless $tok->{kind} =~ /^(NAME|INT|ANY)$/;
                $step->{ret} = $tok;
            } else {
                _syntax($lineno, 'not an expected output')
                    unless $tok->{kind} =~ /^(NULL|INT|STR|REF|BIND|ANY)$/;
                _syntax($lineno, 'too many tokens') if @{ $step->{outs} } == $MAX_TOKENS;
                push @{ $step->{outs} }, $tok;
            }
        }
        next unless $step;
        _syntax($lineno, 'an expected return is missing') if $step->{has_expect} && !$step->{ret};
        push @steps, $step;
    }
    return \@steps;
}

sub _type {
    my ($word) = @_;
    return { kind => $word, handle => '' } if $PLAIN_TYPES{$word};
    for my $p (['out_', 'out_handle'], ['outv_', 'outv_handle'], ['', 'handle']) {
        my ($prefix, $kind) = @$p;
        next unless substr($word, 0, length $prefix) eq $prefix;
        my $rest = substr($word, length $prefix);
        return { kind => $kind, handle => $rest } if grep { $_ eq $rest } @HANDLE_TYPES;
    }
    die "unknown type $word\n";
}

sub is_out { $_[0]{kind} =~ /^out/ }

# { sigs => {name => {name, ret, params}}, releases => {handle => function} }
sub parse_signatures {
    my ($text) = @_;
    my (%sigs, %releases);
    for my $line (split /\n/, $text) {
        $line =~ s/#.*//;
        my @w = split ' ', $line;
        next unless @w;
        if ($w[0] eq 'release') {
            $releases{ $w[1] } = $w[2];
            next;
        }
        $sigs{ $w[0] } = { name => $w[0], ret => _type($w[1]), params => [ map { _type($_) } @w[2 .. $#w] ] };
    }
    return { sigs => \%sigs, releases => \%releases };
}

sub slurp {
    my ($path) = @_;
    open my $fh, '<:raw', $path or die "$path: $!\n";
    local $/;
    my $data = <$fh>;
    close $fh;
    return $data;
}

# ---- the SWIG backend: calls through the module openbits --------------------

my $OUT = \'out';    # an out-parameter for which storage is wanted
sub _is_out_arg { ref $_[0] eq 'SCALAR' && $_[0] == $OUT }

sub _code_name { openbits::bits_hresult_name($_[0]) }

sub _fn {
    my ($name) = @_;
    no strict 'refs';
    return \&{"openbits::$name"};
}

sub _release {
    my ($table, $htype, $handle) = @_;
    _fn($table->{releases}{$htype})->($handle) if defined $handle;
}

sub _skip_reason {
    my ($sig, $step, $args) = @_;
    my $expects_failure = $step->{ret} && ($step->{ret}{value} // '') =~ /_E_/;
    for my $i (0 .. $#$args) {
        return 'a NULL out-pointer'
            if !defined $args->[$i] && is_out($sig->{params}[$i]) && $expects_failure;
    }
    return undef;
}

# (code or return value, [out values]) of one binding call; no outs on failure.
sub _invoke {
    my ($fn, @in) = @_;
    my @r = eval { $fn->(@in) };
    if (my $err = $@) {
        return ($err->{hresult}, undef) if ref $err eq 'openbits::Error';
        die $err;
    }
    return (shift(@r), \@r);
}

sub _enum_next {
    my ($sig, $args) = @_;
    my $next_one = _fn("$sig->{name}_one");
    my @handles;
    my $code = 0;
    for (1 .. $args->[1]) {
        my $outs;
        ($code, $outs) = _invoke($next_one, $args->[0]);
        last if $code >= 0x80000000 || !defined $outs->[0];
        push @handles, $outs->[0];
    }
    $code = @handles == $args->[1] ? 0 : 1 if $code < 0x80000000;   # BITS_S_OK / BITS_S_FALSE
    my $n = $args->[1] > 1 ? $args->[1] : 1;
    my @array = (@handles, (undef) x ($n - @handles));
    return ($code, [undef, undef, \@array, scalar @handles]);
}

sub _call {
    my ($table, $sig, $args) = @_;
    my @params = @{ $sig->{params} };
    if ($sig->{name} =~ /_enum_next$/) {
        my ($code, $outs) = _enum_next($sig, $args);
        return ($code, [ map { _is_out_arg($args->[$_]) ? $outs->[$_] : undef } 0 .. $#$args ]);
    }
    my @in = map { $args->[$_] } grep { !is_out($params[$_]) } 0 .. $#params;
    my ($ret, $values) = _invoke(_fn($sig->{name}), @in);
    my @outs = (undef) x @$args;
    return ($ret, \@outs) unless $values;
    my @out_params = grep { is_out($params[$_]) } 0 .. $#params;
    die "$sig->{name} returned " . scalar(@$values) . " values for " . scalar(@out_params) . " outs\n"
        if @$values != @out_params;
    for my $k (0 .. $#out_params) {
        my $i = $out_params[$k];
        my $value = $values->[$k];
        if (_is_out_arg($args->[$i])) {
            $outs[$i] = $value;
        } elsif ($params[$i]{kind} eq 'out_handle') {
            _release($table, $params[$i]{handle}, $value);    # asked for NULL: drop it
        }
    }
    return ($ret, \@outs);
}

# ---- the executor --------------------------------------------------------------

my $GUID = qr/^\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}$/;

sub _escape {
    join '', map { my $c = ord; $c >= 0x20 && $c <= 0x7E && $_ ne '"' && $_ ne '\\' ? $_ : sprintf('\\x%02x', $c) }
        split //, $_[0];
}

# Runs one vector file; returns (calls made, lines skipped). Dies with
# "FILE:LINE: CALL: message" at the first mismatch. $trace->($line) gets
# each step's trace line (tests/vectors/README.md, "The trace").
sub run_file {
    my ($path, $table, $trace) = @_;
    my $steps = parse_vectors(slurp($path));
    my $tmp = tempdir('openbits-vectors-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    my %r = (path => $path, table => $table, tmp => $tmp, bindings => {}, calls => 0,
             skipped => 0, guids => [], line => []);
    my $base = basename($path);
    for my $step (@$steps) {
        $r{step} = $step;
        $r{line} = ["$base:$step->{line} $step->{call} =>"];
        my $ok = eval { _step(\%r, $step); 1 };
        my $err = $@;
        $trace->(join ' ', @{ $r{line} }) if $trace;
        die $err unless $ok;
    }
    return ($r{calls}, $r{skipped});
}

sub _fail {
    my ($r, $msg) = @_;
    die "$r->{path}:$r->{step}{line}: $r->{step}{call}: $msg\n";
}

sub _ref {
    my ($r, $tok, $kind) = @_;
    my $b = $r->{bindings}{ $tok->{value} } or _fail($r, "\$$tok->{value} is not bound");
    _fail($r, "\$$tok->{value} is bound to a value of another type") if $b->{kind} ne $kind;
    return $b;
}

sub _expand {
    my ($r, $value) = @_;
    (my $s = $value) =~ s/\$TMP/$r->{tmp}/g;
    return $s;
}

sub _string_arg {
    my ($r, $tok) = @_;
    return undef if $tok->{kind} eq 'NULL';
    return _expand($r, $tok->{value}) if $tok->{kind} eq 'STR';
    return _ref($r, $tok, 'str')->{value} if $tok->{kind} eq 'REF';
    _fail($r, 'a string is expected');
}

sub _build_arg {
    my ($r, $ptype, $tok, $args) = @_;
    my $kind = $ptype->{kind};
    if ($kind =~ /^(u32|u64|hresult)$/) {
        my $value;
        if ($tok->{kind} eq 'REF') { $value = _ref($r, $tok, 'int')->{value} }
        elsif ($tok->{kind} eq 'INT') { $value = $tok->{value} }
        else { _fail($r, 'an integer is expected') }
        _fail($r, "$value is out of range") if $kind ne 'u64' && $value > 0xFFFFFFFF;
        return $value;
    }
    return _string_arg($r, $tok) if $kind eq 'str' || $kind eq 'guid';
    if ($kind eq 'ptr') {
        _fail($r, 'only NULL is a valid pointer here') if $tok->{kind} ne 'NULL';
        return undef;
    }
    if ($kind eq 'handle') {
        return undef if $tok->{kind} eq 'NULL';
        _fail($r, 'a $handle or NULL is expected') if $tok->{kind} ne 'REF';
        my $b = _ref($r, $tok, 'handle');
        _fail($r, "\$$tok->{value} is a $b->{htype}, not a $ptype->{handle}") if $b->{htype} ne $ptype->{handle};
        return $b->{value};
    }
    return undef if $tok->{kind} eq 'NULL';
    _fail($r, 'an out-parameter takes out or NULL') if $tok->{kind} ne 'OUT';
    _fail($r, 'celt above 1024') if $kind eq 'outv_handle' && $args->[-1] > 1024;
    return $OUT;
}

sub _write_file {
    my ($r, $step) = @_;
    _fail($r, 'write_file takes a path and a content string')
        if @{ $step->{args} } != 2 || grep({ $_->{kind} ne 'STR' } @{ $step->{args} }) || $step->{has_expect};
    _fail($r, 'write_file: a path cannot hold a NUL') if index($step->{args}[0]{value}, "\0") >= 0;
    my $path = _expand($r, $step->{args}[0]{value});
    open my $fh, '>:raw', $path or _fail($r, "cannot write $path");
    print $fh $step->{args}[1]{value};
    close $fh or _fail($r, "cannot write $path");
    push @{ $r->{line} }, 'ok';
}

sub _wait_state {
    my ($r, $step) = @_;
    my $args = $step->{args};
    _fail($r, 'wait_state takes a $job and a state number')
        if @$args != 2 || $args->[0]{kind} ne 'REF' || $args->[1]{kind} ne 'INT' || $step->{has_expect};
    my $job = _ref($r, $args->[0], 'handle')->{value};
    my $sig = $r->{table}{sigs}{bits_job_get_state};
    my $state;
    for (1 .. 60 * 50) {
        my ($ret, $outs) = _call($r->{table}, $sig, [$job, $OUT]);
        $state = $outs->[1];
        if ($ret == 0 && $state == $args->[1]{value}) {
            push @{ $r->{line} }, $state;
            return;
        }
        Time::HiRes::sleep(0.02);
    }
    push @{ $r->{line} }, $state // 'error';
    _fail($r, "still in state $state after 60 s, expected $args->[1]{value}");
}

sub _trace_string {
    my ($r, $value) = @_;
    return 'NULL' unless defined $value;
    if ($value =~ $GUID) {
        my $key = lc $value;
        my ($n) = grep { $r->{guids}[$_] eq $key } 0 .. $#{ $r->{guids} };
        if (!defined $n) {
            push @{ $r->{guids} }, $key;
            $n = $#{ $r->{guids} };
        }
        return '{GUID' . ($n + 1) . '}';
    }
    return '"' . join('$TMP', map { _escape($_) } split(/\Q$r->{tmp}\E/, $value, -1)) . '"';
}

sub _trace_out {
    my ($r, $ptype, $value, $listed) = @_;
    return '*' if $listed->{kind} eq 'ANY';
    my $kind = $ptype->{kind};
    return "$value" if $kind =~ /^out_(u32|u64|hresult)$/;
    return _trace_string($r, $value) if $kind eq 'out_str' || $kind eq 'out_guid';
    $value = $value ? $value->[0] : undef if $kind eq 'outv_handle';
    return defined $value ? 'handle' : 'NULL';
}

sub _step {
    my ($r, $step) = @_;
    push @{ $r->{line} }, 'error';    # until the step tells more
    if ($step->{call} eq 'write_file' || $step->{call} eq 'wait_state') {
        pop @{ $r->{line} };
        return $step->{call} eq 'write_file' ? _write_file($r, $step) : _wait_state($r, $step);
    }
    my $sig = $r->{table}{sigs}{ $step->{call} } or _fail($r, 'not in the signature table');
    my @params = @{ $sig->{params} };
    _fail($r, scalar(@{ $step->{args} }) . ' arguments given, the function takes ' . scalar(@params))
        if @{ $step->{args} } != @params;
    my @args;
    push @args, _build_arg($r, $params[$_], $step->{args}[$_], \@args) for 0 .. $#params;
    my @out_positions = grep { _is_out_arg($args[$_]) } 0 .. $#args;
    my @wants = @{ $step->{outs} };
    _fail($r, scalar(@wants) . ' out-values listed for ' . scalar(@out_positions) . ' out arguments')
        if @wants && @wants != @out_positions;
    if (my $reason = _skip_reason($sig, $step, \@args)) {
        $r->{skipped}++;
        $r->{line}[-1] = "skipped ($reason)";
        return;
    }
    my ($ret, $outs) = _call($r->{table}, $sig, \@args);
    $r->{calls}++;
    my $failed = $sig->{ret}{kind} eq 'hresult' && $ret >= 0x80000000;
    $r->{line}[-1] = $sig->{ret}{kind} eq 'void' ? '-'
                   : !$step->{has_expect} || $step->{ret}{kind} eq 'ANY' ? '*'
                   : $sig->{ret}{kind} eq 'hresult' ? _code_name($ret)
                   : "$ret";
    if (!$failed && @wants) {
        push @{ $r->{line} }, _trace_out($r, $params[ $out_positions[$_] ], $outs->[ $out_positions[$_] ], $wants[$_])
            for 0 .. $#out_positions;
    }
    my $ok = eval {
        _check_return($r, $sig, $step, $ret);
        _fail($r, 'a failing call lists no out-values') if $failed && @wants;
        1;
    };
    if (!$ok) {
        my $err = $@;
        _finish($r, $params[$_], $outs->[$_], undef) for @out_positions;
        die $err;
    }
    my @errors;
    for my $k (0 .. $#out_positions) {
        my $i = $out_positions[$k];
        eval { _finish($r, $params[$i], $outs->[$i], @wants ? $wants[$k] : undef); 1 } or push @errors, $@;
    }
    die $errors[0] if @errors;
}

sub _check_return {
    my ($r, $sig, $step, $ret) = @_;
    my $want = $step->{ret};
    return if !$step->{has_expect} || $want->{kind} eq 'ANY';
    if ($sig->{ret}{kind} eq 'hresult') {
        my $got = _code_name($ret);
        _fail($r, sprintf('returned %s (0x%08X), expected %s', $got, $ret, $want->{value}))
            if $want->{kind} eq 'NAME' && $got ne $want->{value};
        _fail($r, sprintf('returned 0x%08X, expected 0x%08X', $ret, $want->{value}))
            if $want->{kind} eq 'INT' && $want->{value} != $ret;
        return;
    }
    if ($sig->{ret}{kind} eq 'u32' && $want->{kind} eq 'INT') {
        _fail($r, "returned $ret, expected $want->{value}") if $want->{value} != $ret;
        return;
    }
    _fail($r, 'this return cannot be checked that way');
}

# Checks one out-value against $want (undef: not checked) and binds or
# releases it.
sub _finish {
    my ($r, $ptype, $value, $want) = @_;
    my $kind = $ptype->{kind};
    if ($kind eq 'outv_handle') {
        my @all = $value ? @$value : ();
        my $first = shift @all;
        _release($r->{table}, $ptype->{handle}, $_) for @all;
        return _finish_handle($r, $ptype->{handle}, $first, $want);
    }
    return _finish_handle($r, $ptype->{handle}, $value, $want) if $kind eq 'out_handle';
    return if !$want || $want->{kind} eq 'ANY';
    my $is_int = $kind =~ /^out_(u32|u64|hresult)$/;
    if ($want->{kind} eq 'BIND') {
        $r->{bindings}{ $want->{value} } = { kind => $is_int ? 'int' : 'str', value => $value };
        return;
    }
    if ($is_int) {
        my $expected = $want->{kind} eq 'REF' ? _ref($r, $want, 'int')->{value} : $want->{value};
        _fail($r, "out-value $value, expected " . ($expected // 'a number'))
            if ($want->{kind} ne 'INT' && $want->{kind} ne 'REF') || $value != $expected;
        return;
    }
    my $expected = $want->{kind} eq 'REF' ? _ref($r, $want, 'str')->{value} : _string_arg($r, $want);
    my $same = defined $value ? defined $expected && $value eq $expected : !defined $expected;
    $same = 0 if $want->{kind} eq 'REF' && !defined $value;
    _fail($r, sprintf('out-value %s, expected %s', _show($value), _show($expected))) unless $same;
}

sub _show { defined $_[0] ? '"' . _escape(substr($_[0], 0, 200)) . '"' : 'NULL' }

sub _finish_handle {
    my ($r, $htype, $value, $want) = @_;
    if ($want && $want->{kind} eq 'BIND') {
        $r->{bindings}{ $want->{value} } = { kind => 'handle', value => $value, htype => $htype };
        return;
    }
    _release($r->{table}, $htype, $value);
    return if !$want || $want->{kind} eq 'ANY';
    if ($want->{kind} eq 'NULL') {
        _fail($r, "a $htype handle came back, NULL was expected") if defined $value;
        return;
    }
    _fail($r, 'a handle out-value is checked with &name, NULL or *');
}

1;
