package Test::Nginx::Harness::Process;

# Finding, starting and stopping the nginx under test.
#
# nginx runs with "daemon off" as a direct child of the test script, in a
# process group of its own: the harness knows its pid without a race,
# reaps its exit status (so a crash of a single-process nginx is seen) and
# can kill the whole group, orphaned workers included.

use strict;
use warnings;

use Exporter 'import';
use File::Spec;
use IO::Socket::INET;
use POSIX qw(:sys_wait_h);
use Time::HiRes qw(sleep time);

our @EXPORT_OK = qw(
    find_binary nginx_version pick_port spawn wait_ready stop
    stop_all valgrind_command describe_status
);

# pid => 1 for every nginx started and not yet reaped
my %Running;


# TEST_NGINX_BINARY, else "nginx" in PATH, else Debian's /usr/sbin/nginx.
sub find_binary {
    my $bin = $ENV{TEST_NGINX_BINARY};
    return $bin if defined $bin && $bin ne '';

    for my $dir (File::Spec->path) {
        my $path = File::Spec->catfile($dir, 'nginx');
        return $path if -f $path && -x _;
    }

    return '/usr/sbin/nginx';
}


# ("1.22.1", 1.022001) from "nginx -v", or () when it cannot be run.
sub nginx_version {
    my ($bin) = @_;

    my $out = _capture($bin, '-v');
    return () if !defined $out;

    if ($out =~ m{/(\d+)\.(\d+)\.(\d+)}) {
        return ("$1.$2.$3", sprintf('%d.%03d%03d', $1, $2, $3));
    }

    return ();
}


# stdout and stderr of a command run without a shell, or undef.
sub _capture {
    my @cmd = @_;

    my $pid = open my $fh, '-|';
    return undef if !defined $pid;

    if ($pid == 0) {
        open STDERR, '>&', \*STDOUT;
        { no warnings 'exec'; exec { $cmd[0] } @cmd; }
        POSIX::_exit(127);
    }

    my $out = do { local $/; <$fh> };
    close $fh;

    return $? == 0 ? $out : undef;
}


# A port that 127.0.0.1 can listen on now, below Linux's ephemeral range
# (so that client sockets cannot take it between two blocks), not in
# %$used. Returns undef after 1000 tries.
sub pick_port {
    my ($used) = @_;
    $used ||= {};

    for (1 .. 1000) {
        my $port = 10000 + int rand 20000;
        next if $used->{$port};

        my $sock = IO::Socket::INET->new(
            LocalAddr => '127.0.0.1',
            LocalPort => $port,
            Proto     => 'tcp',
            ReuseAddr => 1,
            Listen    => 1,
        );

        if ($sock) {
            close $sock;
            return $port;
        }
    }

    return undef;
}


# Exit-time "leaks" of stock nginx (memory a process keeps until it
# exits): the environment copy, the per-process event structures and the
# PCRE2 contexts nginx caches for regex locations.
# Matched on nginx's own frames only, so allocations made through a
# module's code are still reported.
my $NGINX_SUPPRESSIONS = <<'_EOS_';
{
   nginx-set-environment
   Memcheck:Leak
   match-leak-kinds: definite
   fun:malloc
   fun:ngx_alloc
   fun:ngx_set_environment
}
{
   nginx-event-process-init
   Memcheck:Leak
   match-leak-kinds: definite
   fun:malloc
   fun:ngx_alloc
   fun:ngx_event_process_init
}
{
   nginx-single-process-init-stripped
   Memcheck:Leak
   match-leak-kinds: definite
   fun:malloc
   fun:ngx_alloc
   obj:*/nginx
   fun:ngx_single_process_cycle
}
{
   nginx-worker-process-init-stripped
   Memcheck:Leak
   match-leak-kinds: definite
   fun:malloc
   fun:ngx_alloc
   obj:*/nginx
   obj:*/nginx
   obj:*/nginx
   fun:ngx_spawn_process
}
{
   nginx-pcre2-contexts
   Memcheck:Leak
   match-leak-kinds: definite
   fun:malloc
   fun:ngx_alloc
   obj:*/libpcre2-8.so*
}
_EOS_


# The command prefix for TEST_NGINX_USE_VALGRIND: "1" (any number) means
# memcheck with full leak checking; any other value is taken as the
# options. Reports go to one file per process in $log_dir; $supp_file
# receives the harness's suppressions, and ./valgrind.suppress is used
# too when it exists (as upstream).
sub valgrind_command {
    my ($setting, $log_dir, $supp_file) = @_;

    my @opts = $setting =~ /^\d+$/
        ? qw(--tool=memcheck --leak-check=full --show-possibly-lost=no
             --errors-for-leak-kinds=definite --num-callers=100
             --gen-suppressions=all)
        : split ' ', $setting;

    open my $out, '>', $supp_file or die "cannot write $supp_file: $!\n";
    print {$out} $NGINX_SUPPRESSIONS;
    close $out;

    push @opts, "--suppressions=$supp_file";
    push @opts, '--suppressions=valgrind.suppress' if -f 'valgrind.suppress';

    return ('valgrind', '-q', '--error-exitcode=99',
            "--log-file=$log_dir/valgrind.%p.log", @opts);
}


# Fork and exec @$cmd with stdout and stderr appended to $stderr_file.
# Returns the pid. An exec failure exits the child with 127.
sub spawn {
    my ($cmd, $stderr_file) = @_;

    my $pid = fork;
    die "fork() failed: $!\n" if !defined $pid;

    if ($pid == 0) {
        setpgrp(0, 0);
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', $stderr_file or POSIX::_exit(126);
        open STDERR, '>&', \*STDOUT or POSIX::_exit(126);
        { no warnings 'exec'; exec { $cmd->[0] } @$cmd; }
        print STDERR "exec $cmd->[0] failed: $!\n";
        POSIX::_exit(127);
    }

    $Running{$pid} = 1;

    return $pid;
}


# Wait until nginx has written its pid file (it does so after opening its
# listening sockets), it exits, or $seconds pass.
# Returns ('ready'), ('exited', $wait_status) or ('timeout').
sub wait_ready {
    my ($pid, $pid_file, $seconds) = @_;

    my $deadline = time + $seconds;
    my $step = 0.002;

    while (1) {
        if (waitpid($pid, WNOHANG) == $pid) {
            delete $Running{$pid};
            return ('exited', $?);
        }

        return ('ready') if _pid_file_says($pid_file, $pid);
        return ('timeout') if time > $deadline;

        sleep $step;
        $step = 0.05 if ($step *= 2) > 0.05;
    }
}


sub _pid_file_says {
    my ($file, $pid) = @_;

    open my $in, '<', $file or return 0;
    my $content = <$in> // '';
    close $in;

    return $content =~ /^\s*$pid\s*$/;
}


# Graceful stop: SIGQUIT, wait up to $grace seconds, then SIGKILL the
# process group. Returns { status => wait status, killed => bool }.
sub stop {
    my ($pid, $grace) = @_;

    kill 'QUIT', $pid;

    my $status = _wait_exit($pid, $grace);
    my $killed = 0;

    if (!defined $status) {
        $killed = 1;
        kill 'KILL', -$pid;
        waitpid($pid, 0);
        $status = $?;
    }

    delete $Running{$pid};

    # workers outliving a killed master share its process group
    kill 'KILL', -$pid if kill 0, -$pid;

    return { status => $status, killed => $killed };
}


sub _wait_exit {
    my ($pid, $seconds) = @_;

    my $deadline = time + $seconds;
    my $step = 0.002;

    while (time <= $deadline) {
        return $? if waitpid($pid, WNOHANG) == $pid;

        sleep $step;
        $step = 0.05 if ($step *= 2) > 0.05;
    }

    return undef;
}


# Stop every nginx still running (cleanup and bail out paths).
sub stop_all {
    my ($grace) = @_;

    stop($_, $grace) for keys %Running;
}


# "exit code 1", "signal 11 (core dumped)" for a wait status.
sub describe_status {
    my ($status) = @_;

    return 'exec failure' if $status == -1;

    if (WIFSIGNALED($status)) {
        my $core = $status & 128 ? ' (core dumped)' : '';
        return 'signal ' . WTERMSIG($status) . $core;
    }

    return 'exit code ' . WEXITSTATUS($status);
}


1;
