package Test::Nginx::Socket;

# The project's own implementation of the Test::Nginx::Socket data-driven
# test format (Test::Base blocks, "=== TEST n" / "--- section"), written
# so that the same .t files also pass under CPAN's Test::Nginx::Socket.
# See docs/testing.md for what is supported and how it differs.
#
# Per block: fresh server root, nginx.conf, start nginx (daemon off, a
# child of this script), send the requests, check the responses and the
# error log, stop nginx (SIGQUIT, then SIGKILL), then fail the block on
# [alert]/[crit]/[emerg] lines, sanitizer reports, crashed processes and
# (with TEST_NGINX_USE_VALGRIND) valgrind errors.
#
# Note: a Test::Base section accessor returns an empty list for an absent
# section in list context, hence the scalar() around those passed as
# arguments.

use strict;
use warnings;

use Test::Base -base;

use File::Basename qw(basename dirname);
use File::Path qw(remove_tree);
use File::Spec;
use List::Util qw(shuffle);
use POSIX qw(:sys_wait_h);
use Scalar::Util qw(looks_like_number);
use Time::HiRes qw(sleep);

use Test::Nginx::Harness::Checks qw(
    check_response check_log_patterns check_grep_log
);
use Test::Nginx::Harness::Client qw(build_requests send_request);
use Test::Nginx::Harness::Conf qw(
    servroot_layout setup_servroot render_conf expand_env
    parse_user_files write_user_files write_file
);
use Test::Nginx::Harness::ErrorLog qw(log_reader read_new read_all);
use Test::Nginx::Harness::Health qw(check_health diag_logs);
use Test::Nginx::Harness::Process qw(
    find_binary nginx_version pick_port spawn wait_ready stop stop_all
    valgrind_command describe_status
);
use Test::Nginx::Harness::Response qw(parse_response);
use Test::Nginx::Harness::Skip qw(skip_spec skip_block);

our $VERSION = '0.30';

our @EXPORT = qw(
    env_to_nginx is_str plan run_tests run_test repeat_each
    config_preamble worker_connections master_process_enabled
    no_long_string workers master_on master_off log_level no_shuffle
    no_root_location use_hup server_name server_addr server_root html_dir
    server_port server_port_for_client timeout no_nginx_manager
    check_accum_error_log add_block_preprocessor bail_out
    add_cleanup_handler add_response_body_check
);

# Settings: the exported functions below change them before run_tests().
our $RepeatEach           = 1;
our $Workers              = 1;
our $WorkerConnections    = 64;
our $LogLevel             = $ENV{TEST_NGINX_LOG_LEVEL} || 'debug';
our $MasterProcessEnabled = $ENV{TEST_NGINX_MASTER_PROCESS} || 'off';
our $NoShuffle            = $ENV{TEST_NGINX_NO_SHUFFLE} || 0;
our $NoRootLocation       = 0;
our $Timeout              = $ENV{TEST_NGINX_TIMEOUT} || 3;
our $CheckAccumErrLog     = $ENV{TEST_NGINX_CHECK_ACCUM_ERR_LOG};
our $ConfigPreamble       = '';
our $ServerName           = 'localhost';
our $ServerAddr           = '127.0.0.1';
our $UseValgrind          = $ENV{TEST_NGINX_USE_VALGRIND};
our $Verbose              = $ENV{TEST_NGINX_VERBOSE};
our $TestNginxSleep       = $ENV{TEST_NGINX_SLEEP} || 0.015;
our $NginxBinary          = find_binary();
our $LoadModules          = $ENV{TEST_NGINX_LOAD_MODULES} // '';
our (@EnvToNginx, @BlockPreprocessors, @CleanupHandlers);
our ($NginxVersion, $NginxRawVersion, $PrevConfig, $ShuffleSeed);

# The port and server root of this test file (see init_port and
# init_servroot): random and per-process unless set from the environment,
# so that "prove -jN" runs do not collide.
our ($ServerPort, $ServerPortForClient, $ServRoot, $Layout);
my ($PortIsOurs, $PortEnvIsOurs, $ServRootIsOurs);

# exit code that valgrind_command() asks valgrind to use on errors
my $VALGRIND_EXIT = 99;

init_port();
init_servroot();


sub init_port {
    my $port = $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT};

    $PortEnvIsOurs = !defined $ENV{TEST_NGINX_SERVER_PORT};

    if (!$port) {
        $port = pick_port() or die "cannot find a free port for nginx\n";
        $PortIsOurs = 1;
    }

    $ServerPort = $port;
    $ServerPortForClient = $ENV{TEST_NGINX_CLIENT_PORT} || $ServerPort;
}


sub init_servroot {
    if ($ENV{TEST_NGINX_SERVROOT}) {
        $ServRoot = File::Spec->rel2abs($ENV{TEST_NGINX_SERVROOT});

    } else {
        my $dir = basename(dirname($0));
        my $tag = ($dir eq '.' ? '' : "${dir}_") . basename($0, '.t');
        $tag =~ s/\W+/_/g;
        $ServRoot = File::Spec->rel2abs("t/servroot_${tag}_$$");
        $ServRootIsOurs = 1;
    }

    $ServRoot =~ s{/+$}{};
    $Layout = servroot_layout($ServRoot);
    $ENV{TEST_NGINX_SERVER_ROOT} = $ServRoot;
}


# ---- exported settings (upstream's names and prototypes) ----

sub repeat_each (@) {
    $RepeatEach = shift if @_;
    return $RepeatEach;
}

sub workers (@) {
    return $Workers if !@_;
    $Workers = shift;
}

sub worker_connections (@) {
    return $WorkerConnections if !@_;
    $WorkerConnections = shift;
}

sub log_level (@) {
    return $LogLevel if !@_;
    $LogLevel = shift;
}

sub master_on ()  { $MasterProcessEnabled = 'on' }
sub master_off () { $MasterProcessEnabled = 'off' }

sub master_process_enabled (@) {
    return $MasterProcessEnabled if !@_;
    $MasterProcessEnabled = shift() ? 'on' : 'off';
}

sub no_shuffle ()            { $NoShuffle = 1 }
sub no_root_location ()      { $NoRootLocation = 1 }
sub check_accum_error_log () { $CheckAccumErrLog = 1 }
sub config_preamble ($)      { $ConfigPreamble = shift }

sub no_long_string () {
    $Test::Nginx::Harness::Checks::NoLongString = 1;
}

sub timeout (@) {
    return $Timeout if !@_;
    $Timeout = shift;
}

sub server_name (@) {
    return $ServerName if !@_;
    $ServerName = shift;
}

sub server_addr (@) {
    return $ServerAddr if !@_;
    $ServerAddr = shift;
}

sub server_port (@) {
    return $ServerPort if !@_;
    $ServerPort = shift;
    $PortIsOurs = 0;
}

sub server_port_for_client (@) {
    return $ServerPortForClient if !@_;
    $ServerPortForClient = shift;
}

sub html_dir ()    { $Layout->{html_dir} }
sub server_root () { $ServRoot }

sub env_to_nginx (@) {
    Carp::croak('env_to_nginx: no arguments specified') if !@_;

    for my $v (@_) {
        Carp::croak("env_to_nginx: bad argument value: $v")
            if $v !~ /^[A-Za-z_]/ || $v =~ /\n/;
        push @EnvToNginx, $v;
    }
}

sub add_block_preprocessor (&) { unshift @BlockPreprocessors, shift }
sub add_cleanup_handler ($)    { unshift @CleanupHandlers, shift }

sub add_response_body_check ($) {
    push @Test::Nginx::Harness::Checks::ResponseBodyChecks, shift;
}

sub use_hup () {
    warn "WARNING: use_hup() is not supported by this harness; "
         . "nginx is restarted for every block\n";
}

sub no_nginx_manager () {
    bail_out('no_nginx_manager() is not supported by this harness');
}

sub is_str (@) {
    my ($got, $expected, $desc) = @_;

    return Test::More::like($got, $expected, $desc)
        if ref $expected eq 'Regexp';

    return Test::Base::is($got, $expected, $desc);
}

sub bail_out (@) {
    cleanup();
    Test::More::BAIL_OUT(join '', @_);
}


sub cleanup {
    $_->() for @CleanupHandlers;
    stop_all(1);
}


# ---- running the blocks ----

sub run_tests () {
    ($NginxRawVersion, $NginxVersion) = nginx_version($NginxBinary);

    bail_out("Failed to get the version of the nginx binary \"$NginxBinary\""
             . ' (set TEST_NGINX_BINARY)') if !defined $NginxVersion;

    $ENV{TEST_NGINX_SERVER_PORT} = $ServerPort if $PortEnvIsOurs;

    for my $block (ordered_blocks()) {
        $_->($block) for @BlockPreprocessors;
        run_test($block);
    }

    cleanup();
}


# Shuffled like upstream unless no_shuffle(); TEST_NGINX_SHUFFLE_SEED
# replays the order that a failed run printed.
sub ordered_blocks {
    my @blocks = Test::Base::blocks();
    return @blocks if $NoShuffle;

    $ShuffleSeed = $ENV{TEST_NGINX_SHUFFLE_SEED} // int rand 2**31;
    srand $ShuffleSeed;

    return shuffle @blocks;
}


sub run_test ($) {
    my ($block) = @_;

    return if defined $block->SKIP;

    my $st = {
        block  => $block,
        name   => $block->name,
        config => block_config($block),
        ports  => {},
    };

    local $LogLevel = trim(scalar($block->log_level)) || $LogLevel;

    my $skip = eval { skip_spec($block, $NginxVersion, \&eval_in_main) };
    bail_out("$st->{name} - $@") if $@;

    if ($skip) {
        skip_block($st->{name}, $skip, $RepeatEach);

    } elsif (defined $block->must_die) {
        run_must_die($st);

    } else {
        run_block($st);
    }
}


# A block without --- config reuses the previous block's, as upstream.
sub block_config {
    my ($block) = @_;

    my $config = $block->config;

    if (!defined $config) {
        bail_out($block->name . " - No '--- config' section specified and "
                 . 'could not get previous one.') if !defined $PrevConfig;
        return $PrevConfig;
    }

    $PrevConfig = $config;
    return $config;
}


sub trim {
    my ($s) = @_;

    return undef if !defined $s;
    $s =~ s/^\s+|\s+$//g;
    return $s;
}


sub eval_in_main {
    my ($code) = @_;

    ## no critic (ProhibitStringyEval)
    return eval "package main; no strict; $code";
}


# A normal block: start nginx, run the requests repeat_each() times
# against that one server, stop it, then run the harness checks.
sub run_block {
    my ($st) = @_;

    my $pid = start_server($st) or return;

    if (defined(my $init = $st->{block}->init)) {
        eval_in_main($init);
        bail_out("$st->{name} - init failed: $@") if $@;
    }

    my $reader = log_reader($Layout->{error_log});

    for my $r (0 .. $RepeatEach - 1) {
        write_block_files($st) if $r > 0;
        run_requests($st, $r, $reader);
        check_logs($st, $r, $reader);
    }

    my $stopped = stop($pid, stop_grace());

    check_health(health_options($st), $stopped);
    save_error_log($st);
}


sub health_options {
    my ($st) = @_;

    return {
        name => $st->{name}, block => $st->{block}, layout => $Layout,
        valgrind => $UseValgrind, valgrind_exit => $VALGRIND_EXIT,
        stop_grace => stop_grace(),
    };
}


sub start_grace { ($UseValgrind ? 60 : 10) }
sub stop_grace  { $Timeout + ($UseValgrind ? 30 : 2) }


# Write the server root and start nginx; retries with another port when
# the random one was taken meanwhile. Returns the pid, or fails the block.
sub start_server {
    my ($st) = @_;

    my $name = $st->{name};

    for my $attempt (1 .. 3) {
        prepare_servroot($st);

        my $pid = spawn([nginx_command(1)], $Layout->{stderr_log});
        my ($state, $status) = wait_ready($pid, $Layout->{pid_file},
                                          start_grace());

        return $pid if $state eq 'ready';

        if ($state eq 'timeout') {
            stop($pid, 1);
            Test::More::fail("$name - nginx did not write its pid file "
                             . 'within ' . start_grace() . 's');
            diag_logs($Layout);
            return undef;
        }

        next if $attempt < 3 && $PortIsOurs && port_was_taken();

        Test::More::fail("$name - nginx failed to start ("
                         . describe_status($status) . ')');
        diag_logs($Layout);
        return undef;
    }

    return undef;
}


# nginx could not bind the random port: pick another one.
sub port_was_taken {
    my @lines = (@{ read_all($Layout->{error_log}) },
                 @{ read_all($Layout->{stderr_log}) });

    return 0 if !grep { /bind\(\) to .* failed \(98: / } @lines;

    $ServerPort = $ServerPortForClient = pick_port({ $ServerPort => 1 });
    $ENV{TEST_NGINX_SERVER_PORT} = $ServerPort if $PortEnvIsOurs;

    return 1;
}


sub nginx_command {
    my ($valgrind_ok) = @_;

    my @cmd = ($NginxBinary, '-p', "$ServRoot/", '-c', $Layout->{conf_file});

    # nginx >= 1.19.5: startup errors go to our error.log too (Debian's
    # nginx would otherwise only print them on stderr)
    push @cmd, '-e', $Layout->{error_log} if $NginxVersion >= 1.019005;

    unshift @cmd, valgrind_command($UseValgrind, $Layout->{log_dir},
                                   "$Layout->{conf_dir}/valgrind.supp")
        if $UseValgrind && $valgrind_ok;

    diag("command: @cmd") if $Verbose;

    return @cmd;
}


sub prepare_servroot {
    my ($st) = @_;

    setup_servroot($Layout);
    write_block_files($st);

    my $conf = render_conf(conf_options($st));
    diag($conf) if $Verbose;

    write_file($Layout->{conf_file}, $conf);
}


sub expand {
    my ($st, $text) = @_;

    my %used = ($ServerPort => 1, map { $_ => 1 } values %{ $st->{ports} });
    my $out = eval {
        expand_env($text, $st->{ports}, sub { pick_port(\%used) });
    };
    bail_out("$st->{name} - $@") if $@;

    return $out;
}


sub expand_section {
    my ($st, $name) = @_;

    my $text = $st->{block}->$name;
    return expand($st, $text);
}


sub write_block_files {
    my ($st) = @_;

    my $spec = $st->{block}->user_files;
    return if !$spec;

    my $files = eval { parse_user_files($spec) };
    bail_out("$st->{name} - $@") if $@;

    eval {
        write_user_files($files, $Layout->{html_dir},
                         sub { expand($st, $_[0]) });
    };
    bail_out("$st->{name} - $@") if $@;
}


sub conf_options {
    my ($st) = @_;

    my $block = $st->{block};
    my $http_config = expand_section($st, 'http_config') // '';
    my $postpone = $ENV{TEST_NGINX_POSTPONE_OUTPUT};
    undef $postpone if $http_config =~ /\bpostpone_output\b/;

    return {
        modules            => [grep { length } split /\s+/, $LoadModules],
        workers            => $Workers,
        master             => $MasterProcessEnabled,
        log_level          => $LogLevel,
        error_log          => $Layout->{error_log},
        access_log         => $Layout->{access_log},
        pid_file           => $Layout->{pid_file},
        html_dir           => $Layout->{html_dir},
        env                => \@EnvToNginx,
        main_config        => expand_section($st, 'main_config') // '',
        http_config        => $http_config,
        post_main_config   => expand_section($st, 'post_main_config') // '',
        config             => expand($st, $st->{config}) // '',
        preamble           => $ConfigPreamble,
        addr               => $ServerAddr,
        port               => $ServerPort,
        server_name        => $block->server_name // $ServerName,
        root_location      => !$NoRootLocation,
        worker_connections => $WorkerConnections,
        event_type         => $ENV{TEST_NGINX_EVENT_TYPE},
        postpone_output    => $postpone,
        worker_user        => $ENV{TEST_NGINX_WORKER_USER},
        reuse_port         => $ENV{TEST_NGINX_REUSE_PORT},
    };
}


# Every request of the block (one repeat): send, parse, check; the error
# log is checked after each response but the last, as upstream.
sub run_requests {
    my ($st, $r, $reader) = @_;

    my $block = $st->{block};
    my $reqs = eval { build_requests($block, $ServerName) };
    bail_out("$st->{name} - $@") if !$reqs;

    my $total = 0;
    $total += $_->{count} for @$reqs;

    my $idx = 0;
    for my $req (@$reqs) {
        my $raw = send_one($st, $req);

        for my $n (1 .. $req->{count}) {
            my $res = parse_response($raw, {
                head => $req->{head}, http09 => defined $block->http09,
            });
            $raw = take_rest($st, $res, $n == $req->{count});

            check_response(check_ctx($st, $r, $idx, $total > 1), $res)
                if !defined $block->ignore_response;

            check_logs($st, $r, $reader) if ++$idx < $total;
        }
    }
}


sub check_ctx {
    my ($st, $r, $idx, $need_array) = @_;

    return {
        block => $st->{block}, name => $st->{name}, req_idx => $idx,
        repeat_idx => $r, need_array => $need_array,
        server_port => $ServerPort,
    };
}


sub send_one {
    my ($st, $req) = @_;

    my $block = $st->{block};
    my $got = send_request($req, {
        addr         => $ServerAddr,
        port         => $ServerPortForClient,
        timeout      => parse_time(scalar($block->timeout)) // $Timeout,
        middle_delay => parse_time(scalar($block->raw_request_middle_delay)),
        shutdown     => scalar($block->shutdown),
    });

    if ($got->{timed_out} && !defined $block->abort) {
        Test::More::fail("ERROR: client socket timed out - $st->{name}\n");
    }

    if ($got->{error}) {
        my $msg = "$st->{name} - $got->{error}";
        $got->{raw} eq '' ? Test::More::fail($msg) : warn "WARNING: $msg\n";
    }

    return $got->{raw};
}


# What follows a parsed response: the next pipelined one, or junk.
sub take_rest {
    my ($st, $res, $last) = @_;

    Test::More::fail("$st->{name} - $res->{error}") if $res->{error};

    my $left = $res->{left} // '';

    if ($last && $left ne '') {
        (my $shown = $left)
            =~ s/([\0-\037\200-\377])/sprintf('\x{%02x}', ord $1)/ge;
        warn "WARNING: $st->{name} - unexpected extra bytes after last "
             . "chunk in response: \"$shown\"\n";
    }

    return $left;
}


# "1.5", "1.5s" or "50ms" in seconds.
sub parse_time {
    my ($tm) = @_;

    return undef if !defined $tm;
    $tm = trim($tm);

    return $1 / 1000 if $tm =~ /^([\d.]+)ms$/;
    return $1 if $tm =~ /^([\d.]+)s?$/;
    return $tm;
}


# The error log (and access log) subtests for the lines nginx wrote
# since the last check.
sub check_logs {
    my ($st, $r, $reader) = @_;

    my $block = $st->{block};

    sleep parse_time($block->wait) if $block->wait;
    sleep $TestNginxSleep * 3 + ($UseValgrind ? 0.3 : 0);

    my $ctx = check_ctx($st, $r, 0, 0);
    my $lines = read_new($reader, $CheckAccumErrLog);

    check_grep_log($ctx, $lines);
    check_log_patterns($ctx, $lines, scalar($block->error_log),
                       scalar($block->no_error_log), 'error.log');

    return if defined $block->ignore_response;
    return if !defined $block->access_log && !defined $block->no_access_log;

    check_log_patterns($ctx, read_all($Layout->{access_log}),
                       scalar($block->access_log),
                       scalar($block->no_access_log), 'access.log');
}


# --- must_die: nginx must fail to start; the error log sections are
# checked against error.log and what nginx printed on stderr.
sub run_must_die {
    my ($st) = @_;

    prepare_servroot($st);

    my $err = log_reader($Layout->{error_log});
    my $out = log_reader($Layout->{stderr_log});

    for my $r (0 .. $RepeatEach - 1) {
        my $pid = spawn([nginx_command(0)], $Layout->{stderr_log});
        my ($state, $status) = wait_ready($pid, $Layout->{pid_file},
                                          start_grace());

        judge_death($st, $state eq 'exited' ? $status : 0);

        my $ctx = check_ctx($st, $r, 0, 0);
        my $lines = [@{ read_new($err, $CheckAccumErrLog) },
                     @{ read_new($out, $CheckAccumErrLog) }];
        check_grep_log($ctx, $lines);
        check_log_patterns($ctx, $lines, scalar($st->{block}->error_log),
                           scalar($st->{block}->no_error_log), 'error.log');

        next if $state eq 'exited';

        warn "WARNING: $st->{name} - nginx must die but it does not; "
             . "killing it (req $r)\n";
        stop($pid, stop_grace());
        unlink $Layout->{pid_file};
    }

    check_health(health_options($st), undef);
}


sub judge_death {
    my ($st, $status) = @_;

    my $name = $st->{name};
    my $want = trim(scalar($st->{block}->must_die));

    if (!WIFSIGNALED($status) && WEXITSTATUS($status) == 127) {
        Test::More::fail("$name - failed to execute the nginx command line");

    } elsif (WIFSIGNALED($status) && $status & 128) {
        Test::More::fail("$name - nginx core dumped");

    } elsif (looks_like_number($want)) {
        Test::More::is($want, WEXITSTATUS($status),
                       "$name - die with the expected exit code");

    } else {
        Test::More::isnt($status, 0, "$name - die as expected");
    }
}


# TEST_NGINX_ERROR_LOG collects the error logs of every block.
sub save_error_log {
    my ($st) = @_;

    my $total = $ENV{TEST_NGINX_ERROR_LOG} or return;
    my $lines = read_all($Layout->{error_log});
    return if !@$lines;

    open my $out, '>>', $total or bail_out("cannot append to $total: $!");
    print {$out} "\n=== $0 $st->{name}\n", @$lines;
    close $out;
}


# The server root of a passing run is removed (unless TEST_NGINX_NO_CLEAN);
# a failing run keeps it for inspection.
sub finish {
    cleanup();

    my $builder = Test::More->builder;
    my $passing = $builder->is_passing;

    if (!$passing && defined $ShuffleSeed) {
        Test::More::diag("blocks ran shuffled; replay the order with "
                         . "TEST_NGINX_SHUFFLE_SEED=$ShuffleSeed");
    }

    return if !$ServRootIsOurs || !-d $ServRoot;

    if ($passing && !$ENV{TEST_NGINX_NO_CLEAN}) {
        remove_tree($ServRoot);

    } elsif (!$passing) {
        Test::More::diag("nginx server root kept in $ServRoot");
    }
}


END {
    local $?;
    finish();
}


1;
