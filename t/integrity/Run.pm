# t/integrity/Run.pm: what the integrity tests (t/integrity-*.t) share:
# a scratch directory under build/, snapshots built by the CLI, and nginx
# run by hand (a master with workers, started, signalled and stopped by
# PID), since these tests damage files under a running server, which the
# Test::Nginx block format cannot express.  Plain Perl; nothing here is
# Test::Nginx.
#
# Environment: TEST_NGINX_BINARY (default /usr/sbin/nginx),
# TEST_NGINX_LOAD_MODULES (the .so files to load, NDK first),
# TEST_NGINX_PORT (default: a free port picked at random),
# PROFILE_SNAPSHOT (the CLI).  Traffic goes to 127.0.0.1 only; every
# loop is bounded in count and time.

package Run;

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Copy qw(copy);
use File::Path qw(make_path remove_tree);
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep time);

our $Root = abs_path(dirname(__FILE__) . '/../..');
our $Cli = $ENV{PROFILE_SNAPSHOT}
           || "$Root/tools/profile-snapshot/profile-snapshot";
our $Nginx = $ENV{TEST_NGINX_BINARY} || '/usr/sbin/nginx';
our $Port = $ENV{TEST_NGINX_PORT} || pick_port();

my @masters;


# a free port of 10000-29999 on 127.0.0.1, so that test files may run in
# parallel (prove -j), as t/lib's harness does
sub pick_port {
    for (1 .. 100) {
        my $p = 10000 + int rand 20000;
        my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                      LocalPort => $p, Proto => 'tcp',
                                      Listen => 1, ReuseAddr => 0)
            or next;
        close $s;
        return $p;
    }

    die "no free port\n";
}


# the reason to skip, or undef when everything needed is there
sub missing {
    return "no CLI at $Cli (make cli)" unless -x $Cli;
    return "TEST_NGINX_LOAD_MODULES is not set (make test sets it)"
        unless $ENV{TEST_NGINX_LOAD_MODULES};
    return "needs root (workers run as nobody)" unless $> == 0;
    return "not under valgrind (needs a master process)"
        if $ENV{TEST_NGINX_USE_VALGRIND};
    return undef;
}


# a fresh scratch directory build/integrity/NAME, readable by nobody
sub scratch {
    my ($name) = @_;
    my $dir = "$Root/build/integrity/$name";

    remove_tree($dir);
    make_path("$dir/logs", "$dir/conf", { mode => 0755 });
    chmod 0755, "$Root/build", "$Root/build/integrity", $dir;

    return $dir;
}


sub slurp {
    my ($path) = @_;
    open(my $fh, '<', $path) or return '';
    binmode $fh;
    local $/;
    return scalar(<$fh>) // '';
}


sub spew {
    my ($path, $data) = @_;
    open(my $fh, '>', $path) or die "$path: $!\n";
    binmode $fh;
    print $fh $data;
    close($fh) or die "$path: $!\n";
}


# run a command; returns (exit code or -signal, stdout + stderr)
sub run {
    my (@cmd) = @_;
    my $out = '';

    my $pid = open(my $fh, '-|') // die "fork: $!\n";

    if ($pid == 0) {
        open(STDERR, '>&', \*STDOUT);
        exec(@cmd) or exit 127;
    }

    { local $/; $out = <$fh> // ''; }
    close($fh);

    my $st = $?;
    return (($st & 127) ? -($st & 127) : $st >> 8, $out);
}


# the snapshot of N deterministic profiles in DIR/NAME.snap; some have a
# long bio so that their records take LMDB overflow pages
sub build_snapshot {
    my ($dir, $name, $n, $variant, @args) = @_;
    $variant //= '';

    spew("$dir/schema.json", <<'EOF');
{
  "version": 1,
  "id": "id",
  "fields": [
    {"name": "id",    "type": "string",  "visibility": "public"},
    {"name": "name",  "type": "string",  "visibility": "public"},
    {"name": "email", "type": "string",  "visibility": "self"},
    {"name": "city",  "type": "string",  "visibility": "public"},
    {"name": "age",   "type": "integer", "visibility": "self"},
    {"name": "bio",   "type": "string",  "visibility": "public"}
  ]
}
EOF

    my @cities = qw(Lisbon Oslo Lima Accra Pune Quito Riga Turin);
    my $nd = '';

    for my $i (1 .. $n) {
        my $bio = ($i % 37 == 0) ? ('long bio ' x 600) : "bio of $i";
        $nd .= sprintf('{"id":"u%05d","name":"User %d%s","email":'
                       . '"u%d@example.com","city":"%s","age":%d,'
                       . '"bio":"%s"}' . "\n", $i, $i, $variant, $i,
                       $cities[$i % @cities], 20 + $i % 50, $bio);
    }

    spew("$dir/$name.ndjson", $nd);

    my ($rc, $out) = run($Cli, 'build', '-q', '--schema', "$dir/schema.json",
                         '--source', "profiles=$dir/$name.ndjson",
                         '--out', "$dir/$name.snap", @args);
    die "build $name: exit $rc: $out" if $rc != 0;

    return "$dir/$name.snap";
}


# nginx.conf for a prefix DIR serving SNAP at /p/ on $Port
sub write_conf {
    my ($dir, %o) = @_;
    my $workers = $o{workers} // 2;
    my $check = defined $o{check} ? "profile_snapshot_check $o{check};"
                                  : '';
    my $loads = join '', map { "load_module $_;\n" }
                         split ' ', $ENV{TEST_NGINX_LOAD_MODULES};
    my $extra = $o{http} // '';
    my $loc = $o{location} // '';

    # a binary upgrade runs nginx again with only the variables "env"
    # names: under make asan the sanitizer runtimes must stay preloaded
    my $env = join '', map { "env $_;\n" }
                       grep { defined $ENV{$_} }
                       qw(LD_PRELOAD ASAN_OPTIONS UBSAN_OPTIONS);

    spew("$dir/conf/nginx.conf", <<"EOF");
$loads
$env
daemon on;
master_process on;
worker_processes $workers;
pid $dir/logs/nginx.pid;
error_log $dir/logs/error.log info;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $dir/client_body_temp;
    proxy_temp_path $dir/proxy_temp;
    fastcgi_temp_path $dir/fastcgi_temp;
    uwsgi_temp_path $dir/uwsgi_temp;
    scgi_temp_path $dir/scgi_temp;
    profile_snapshot $o{snapshot};
    $check
    $extra
    server {
        listen 127.0.0.1:$Port reuseport;
        add_header X-Worker \$pid always;
        location /p/ {
            profile;
            profile_viewer \$http_x_viewer trusted;
            $loc
        }
    }
}
EOF
}


sub nginx {
    my ($dir, @args) = @_;
    return run($Nginx, '-p', "$dir/", '-c', "$dir/conf/nginx.conf", @args);
}


sub master_pid {
    my ($dir) = @_;
    my $pid = slurp("$dir/logs/nginx.pid");
    return $pid =~ /^(\d+)/ ? $1 : undef;
}


# a process that exists and is not a zombie (a daemonized master's
# parent may be slow to reap it, or never)
sub alive {
    my ($pid) = @_;
    return 0 unless kill(0, $pid);
    my $stat = slurp("/proc/$pid/stat");
    return $stat =~ /^\d+ \(.*\) ([A-Za-z])/s && $1 ne 'Z' ? 1 : 0;
}


# start nginx; returns the master's PID once a request is answered
sub start {
    my ($dir) = @_;
    unlink "$dir/logs/nginx.pid";

    my ($rc, $out) = nginx($dir);
    die "nginx start: exit $rc: $out" if $rc != 0;

    my $deadline = time + 10;
    my ($pid, %seen);

    # every worker has answered once (listen ... reuseport spreads the
    # connections), so each has opened its snapshot in init_process

    while (time < $deadline) {
        $pid //= master_pid($dir);

        if ($pid) {
            my ($st, $h) = get('/p/');
            $seen{$h->{'x-worker'}} = 1 if defined $st && $h->{'x-worker'};
            my @w = workers($pid);
            last if @w && !grep { !$seen{$_} } @w;
        }

        sleep 0.01;
    }

    die "nginx did not start\n" unless $pid;
    push @masters, $pid;

    return $pid;
}


# a master started otherwise (a binary upgrade's new one): stopped at exit
sub adopt {
    push @masters, $_[0];
}


# stop the master PID (QUIT, then TERM, then KILL) and wait for it
sub stop {
    my ($pid) = @_;
    return unless $pid && alive($pid);

    for my $sig (qw(QUIT TERM KILL)) {
        kill $sig, $pid;
        my $deadline = time + 5;
        sleep 0.02 while alive($pid) && time < $deadline;
        last unless alive($pid);
    }

    @masters = grep { $_ != $pid } @masters;
}


# the PIDs of the master's worker processes
sub workers {
    my ($master) = @_;
    my @w;

    for my $stat (glob('/proc/[0-9]*/stat')) {
        my $s = slurp($stat) // '';
        next unless $s =~ /^(\d+) \((.*)\) \S (\d+)/s;
        my ($pid, $comm, $ppid) = ($1, $2, $3);
        push @w, $pid if $ppid == $master && $comm =~ /nginx/;
    }

    return sort { $a <=> $b } @w;
}


# GET (or METHOD) PATH with headers; returns (status, {headers}, body),
# or () when nothing answers
sub get {
    my ($path, %h) = @_;
    my $method = delete $h{method} // 'GET';

    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $Port,
                                  Proto => 'tcp', Timeout => 5)
        or return ();

    my $req = "$method $path HTTP/1.0\r\nHost: localhost\r\n";
    $req .= "$_: $h{$_}\r\n" for sort keys %h;
    print $s "$req\r\n";

    my $raw = '';
    local $SIG{ALRM} = sub { die "timeout\n" };
    eval {
        alarm 5;
        while (my $n = sysread($s, my $buf, 65536)) { $raw .= $buf }
        alarm 0;
    };
    alarm 0;
    close $s;

    return () unless $raw =~ /\AHTTP\/1\.\d (\d{3})[^\r\n]*\r\n(.*?)\r\n\r\n/s;

    my ($status, $head) = ($1, $2);
    my %hdr;
    for my $line (split /\r\n/, $head) {
        $hdr{lc $1} = $2 if $line =~ /^([^:]+):\s*(.*)$/;
    }

    return ($status, \%hdr, substr($raw, $+[0]));
}


# the lines of LOG that report a memory or undefined-behaviour error
# (a run of `make asan`: workers write sanitizer reports to their stderr,
# which nginx sends to its error log); a deliberate SIGBUS
# ("AddressSanitizer:DEADLYSIGNAL", "BUS on unknown address") is not one
sub sanitizer_errors {
    my ($log) = @_;
    return grep { /AddressSanitizer: (?!BUS\b)|LeakSanitizer:|runtime error:/ }
           split /\n/, $log;
}


# empty DIR's error log, keeping its sanitizer reports for sanitized()
our @Sanitizer;

sub reset_log {
    my ($dir) = @_;
    push @Sanitizer, sanitizer_errors(slurp("$dir/logs/error.log"));
    truncate("$dir/logs/error.log", 0);
}


# every sanitizer report of DIR's error logs, including those reset_log()
# kept: "" when there is none
sub sanitized {
    my ($dir) = @_;
    return join "\n", @Sanitizer,
                map { sanitizer_errors(slurp($_)) } glob("$dir/logs/*.log");
}


# wait until CODE returns true, at most SECONDS; returns its last value
sub wait_for {
    my ($seconds, $code) = @_;
    my $deadline = time + $seconds;
    my $v;

    until (($v = $code->()) || time > $deadline) {
        sleep 0.02;
    }

    return $v;
}


# the ids of the profiles build_snapshot() made
sub ids { return map { sprintf 'u%05d', $_ } 1 .. $_[0] }


# where each record lies in SNAP: { id => [offset, size] }, from the id
# index as docs/snapshot-format.md lays it out (slots of u64 offset,
# u32 size, u32 tag) and each record's own id
sub records {
    my ($snap) = @_;
    my ($rc, $dump) = run('mdb_dump', '-n', '-s', 'meta', $snap);
    die "mdb_dump $snap: $dump" if $rc != 0;
    $dump =~ /^ 696e646578\n ([0-9a-f]+)\n/m or die "$snap: no index\n";

    my $idx = pack('H*', $1);
    my $data = slurp($snap);
    my %at;

    for (my $o = 16; $o < length $idx; $o += 16) {
        my ($off, $size) = unpack('QV', substr($idx, $o, 12));
        next unless $off;
        my $id = substr($data, $off + 17, ord(substr($data, $off + 16, 1)));
        $at{$id} = [$off, $size];
    }

    return \%at;
}


# a snapshot directory DIR as docs/snapshot-dir.md lays it out, made by
# hand (the CLI's publish is not needed): the marker, and SNAPs linked in
# under their ids ({ id => path })
sub snapdir {
    my ($dir, %snaps) = @_;

    make_path($dir, { mode => 0755 });
    spew("$dir/.profile-snapshot-dir", "profile-snapshot-dir 1\n");

    for my $id (sort keys %snaps) {
        unlink "$dir/$id.snap";
        link($snaps{$id}, "$dir/$id.snap") or copy($snaps{$id}, "$dir/$id.snap")
            or die "$dir/$id.snap: $!\n";
        chmod 0444, "$dir/$id.snap";
    }

    return $dir;
}


# point DIR/current at NAME atomically: a new link renamed over it
sub point {
    my ($dir, $name) = @_;

    unlink "$dir/.current.tmp";
    symlink($name, "$dir/.current.tmp") or die "symlink: $!\n";
    rename("$dir/.current.tmp", "$dir/current") or die "rename: $!\n";
}


# the snapshot files PID maps, and its open descriptors
sub mapped {
    my ($pid) = @_;
    my %f = map { $_ => 1 } slurp("/proc/$pid/maps") =~ m{ (/\S+\.snap)}g;
    return sort keys %f;
}

sub fds {
    my ($pid) = @_;
    opendir(my $d, "/proc/$pid/fd") or return -1;
    my $n = grep { /^\d+$/ } readdir $d;
    closedir $d;
    return $n;
}


# A load loop in NPROC child processes, each over NCONN keep-alive
# connections, requesting /p/ID for the ids of EXPECT ({ snapshot id =>
# { profile id => body } }) until STOP exists or SECONDS pass.  Every
# answer must be a 200 naming, in HEADER, a snapshot of EXPECT, with
# that snapshot's body: anything else counts as failed (status, no
# header, an unknown snapshot) or mixed (a body of another snapshot, or
# of none).  A connection the server closes between two requests (a
# reload, a worker's exit) is opened again and the request sent again,
# counted as a retry.  Returns a handle for load_stop().
sub load_start {
    my (%o) = @_;
    my @ids = @{ $o{ids} };
    my @pids;

    unlink $o{stop};

    for my $n (1 .. $o{nproc}) {
        my $out = "$o{stop}.$n";
        unlink $out;

        my $pid = fork() // die "fork: $!\n";

        if ($pid) {
            push @pids, [$pid, $out];
            next;
        }

        srand($$);
        my %c = (ok => 0, failed => 0, mixed => 0, retries => 0);
        my (%seen, @why);
        my @conns = (undef) x $o{nconn};
        my $deadline = time + $o{seconds};
        my $i = 0;

        while (!-e $o{stop} && time < $deadline) {
            my $k = $i++ % @conns;
            my $id = $ids[int rand @ids];
            my ($st, $h, $body);

            for my $try (1 .. 3) {
                $conns[$k] //= IO::Socket::INET->new(
                    PeerAddr => '127.0.0.1', PeerPort => $Port,
                    Proto => 'tcp', Timeout => 5);
                last unless $conns[$k];

                ($st, $h, $body) = request($conns[$k], "/p/$id");

                if (!defined $st || ($h->{connection} // '') =~ /close/i) {
                    close $conns[$k];
                    $conns[$k] = undef;
                }

                last if defined $st;
                $c{retries}++;
            }

            my $snap = defined $st ? $h->{lc $o{header}} : undef;

            if (!defined $st || $st != 200 || !defined $snap
                || !$o{expect}{$snap})
            {
                $c{failed}++;
                push @why, ($st // 'none') . ' ' . ($snap // '-')
                    if @why < 5;

            } elsif ($body ne ($o{expect}{$snap}{$id} // '')) {
                $c{mixed}++;
                push @why, "mixed $snap $id" if @why < 5;

            } else {
                $c{ok}++;
                $seen{$snap}++;
            }
        }

        spew($out, join("\n", (map { "$_ $c{$_}" } sort keys %c),
                        (map { "seen $_ $seen{$_}" } sort keys %seen),
                        (map { "why $_" } @why)) . "\n");
        POSIX::_exit(0);
    }

    return { pids => \@pids, stop => $o{stop} };
}


# stop the load loop; returns its counts summed
# ({ ok, failed, mixed, retries, seen => { snapshot id => n }, why => [] })
sub load_stop {
    my ($l) = @_;
    my %t = (ok => 0, failed => 0, mixed => 0, retries => 0, seen => {},
             why => []);

    spew($l->{stop}, '');

    for my $p (@{ $l->{pids} }) {
        my ($pid, $out) = @$p;
        my $deadline = time + 10;
        sleep 0.02 while waitpid($pid, WNOHANG) == 0 && time < $deadline;
        kill 'KILL', $pid if waitpid($pid, WNOHANG) == 0;

        for my $line (split /\n/, slurp($out)) {
            if ($line =~ /^seen (\S+) (\d+)/) { $t{seen}{$1} += $2 }
            elsif ($line =~ /^why (.*)/) { push @{ $t{why} }, $1 }
            elsif ($line =~ /^(\w+) (\d+)/) { $t{$1} += $2 }
        }
    }

    return \%t;
}


# one HTTP/1.1 keep-alive GET on socket S: (status, {headers}, body) or ()
sub request {
    my ($s, $path) = @_;
    my ($raw, $head, $status, %hdr) = ('');

    print $s "GET $path HTTP/1.1\r\nHost: localhost\r\n\r\n" or return ();

    local $SIG{ALRM} = sub { die "timeout\n" };
    my $ok = eval {
        alarm 5;

        until ($raw =~ /\r\n\r\n/) {
            sysread($s, $raw, 65536, length $raw) or die "eof\n";
        }

        ($head, $raw) = split /\r\n\r\n/, $raw, 2;
        $head =~ /\AHTTP\/1\.\d (\d{3})/ or die "bad\n";
        $status = $1;

        for my $line (split /\r\n/, $head) {
            $hdr{lc $1} = $2 if $line =~ /^([^:]+):\s*(.*)$/;
        }

        my $len = $hdr{'content-length'} // 0;

        while (length $raw < $len) {
            sysread($s, $raw, 65536, length $raw) or die "eof\n";
        }

        alarm 0;
        1;
    };
    alarm 0;

    return () unless $ok;
    return ($status, \%hdr, $raw);
}


END {
    stop($_) for @masters;
}


1;
