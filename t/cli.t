#!/usr/bin/env perl
#
# Data-driven tests of the profile-snapshot CLI.  Each folder under
# tools/profile-snapshot/tests/cases/ is one case (docs/cli.md "Tests"):
#
#   args      the command's arguments, one per line  (or)
#   cmd       a sh script run instead, with $PS set to the binary
#   setup     optional sh script run first (must exit 0; output ignored)
#   stdin     optional: fed to the command's standard input
#   stdout, stderr, exit
#             expected output and exit code (a missing file means empty
#             output, exit 0)
#   expect/   expected files: expect/PATH is compared with the file PATH
#             the command left in the case's scratch copy
#   mask      optional: one Perl regex per line; matches are replaced by
#             <MASK> in expected and actual output before comparing
#   fixtures  optional: shared inputs, one per line, "NAME" or "NAME AS":
#             tools/profile-snapshot/tests/fixtures/NAME is copied into
#             the scratch copy as AS (default NAME) before setup runs; a
#             case keeps a file of its own only where it differs
#
# The case runs in a scratch copy of its folder, with
# SOURCE_DATE_EPOCH=1767225600 (2026-01-01T00:00:00Z), LC_ALL=C and TZ=UTC.
# PROFILE_SNAPSHOT overrides the binary's path; PS_CASES=regex selects
# cases; PS_CASES_REGEN=1 rewrites the expectations from the actual
# results (review the diff before committing).
#
# When a cmd case fails, it is run again in a fresh copy under "sh -x",
# its stdout and stderr in one transcript, and each failure names the
# command of cmd that printed the first line that differs (or, for the
# exit code, the last command run); the transcript is printed as a
# diagnostic.

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Copy qw(copy);
use File::Find qw(find);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use FindBin;
use JSON::PP ();
use Test::More;

my $root = abs_path("$FindBin::Bin/..");
my $bin = $ENV{PROFILE_SNAPSHOT}
          || "$root/tools/profile-snapshot/profile-snapshot";
my $cases = "$root/tools/profile-snapshot/tests/cases";
my $fixtures = "$root/tools/profile-snapshot/tests/fixtures";
my $regen = $ENV{PS_CASES_REGEN};

plan skip_all => "no CLI binary at $bin (make cli)" unless -x $bin;
$bin = abs_path($bin);

my @cases = sort grep { -d } glob("$cases/*");
if (my $only = $ENV{PS_CASES}) {
    @cases = grep { (my $n = $_) =~ s{.*/}{}; $n =~ /$only/ } @cases;
}

for my $case (@cases) {
    run_case($case);
}

# the naming of a failing cmd's command, on a made-up transcript
{
    my $t = "+[cmd] echo one\none\n+[cmd] echo two\ntwo\n+[cmd] false\n";

    is(culprit($t, 'stdout', "one\ntwo\n", "one\n2\n"),
       'line 2 from `echo two`', 'cli.t: a differing line names its command');
    is(culprit($t, 'stdout', "one\ntwo\n", "one\ntwo\nthree\n"),
       'line 3 missing, after `false`',
       'cli.t: a missing line names the command after the last one found');
    is(culprit($t, 'exit', "1\n", "0\n"), 'last command `false`',
       'cli.t: a wrong exit code names the last command');
}

done_testing();


sub slurp {
    my ($path) = @_;

    open my $fh, '<:raw', $path or return undef;
    local $/;
    my $data = <$fh>;
    close $fh;

    return defined $data ? $data : '';
}


sub spew {
    my ($path, $data) = @_;

    make_path(dirname($path));
    open my $fh, '>:raw', $path or die "$path: $!";
    print $fh $data;
    close $fh or die "$path: $!";
}


sub copy_tree {
    my ($from, $to) = @_;

    find({ no_chdir => 1, wanted => sub {
        my $rel = substr($File::Find::name, length $from);
        return if $rel =~ m{^/(expect(/|$)
                               |(stdout|stderr|exit|mask|fixtures)$)}x;
        if (-d $_) {
            make_path("$to$rel");
        } else {
            copy($_, "$to$rel") or die "copy $_: $!";
            chmod((stat $_)[2] & 07777, "$to$rel");
        }
    } }, $from);
}


# run @cmd in $dir; with $merge, stderr goes to stdout (one transcript)
sub run {
    my ($dir, $stdin, @cmd) = @_;
    my $merge = ref $cmd[0] ? shift(@cmd)->{merge} : 0;

    my $pid = fork;
    die "fork: $!" unless defined $pid;

    if ($pid == 0) {
        chdir $dir or die "chdir $dir: $!";
        open STDIN, '<', $stdin or die "$stdin: $!";
        open STDOUT, '>', "$dir.stdout" or die "stdout: $!";
        if ($merge) {
            open STDERR, '>&', \*STDOUT or die "stderr: $!";
        } else {
            open STDERR, '>', "$dir.stderr" or die "stderr: $!";
        }
        exec { $cmd[0] } @cmd or die "exec $cmd[0]: $!";
    }

    waitpid $pid, 0;
    my $status = $?;
    my $code = $status & 127 ? 128 + ($status & 127) : $status >> 8;

    my ($out, $err) = (slurp("$dir.stdout"), slurp("$dir.stderr"));
    unlink "$dir.stdout", "$dir.stderr";

    return ($out, $err, $code);
}


sub run_case {
    my ($case) = @_;

    (my $name = $case) =~ s{.*/}{};

    local $ENV{PS} = $bin;
    local $ENV{SOURCE_DATE_EPOCH} = '1767225600';
    local $ENV{LC_ALL} = 'C';
    local $ENV{TZ} = 'UTC';

    my $work = prepare($case, $name) or return;

    my @cmd;

    if (-e "$case/cmd") {
        @cmd = ('/bin/sh', 'cmd');
    } elsif (-e "$case/args") {
        @cmd = ($bin, split /\n/, slurp("$case/args"));
    } else {
        fail("$name: no args or cmd file");
        return;
    }

    my $stdin = -e "$case/stdin" ? "$work/stdin" : '/dev/null';
    my ($out, $err, $code) = run($work, $stdin, @cmd);

    my @masks = -e "$case/mask"
                ? grep { length } split /\n/, slurp("$case/mask") : ();

    my $mask = sub {
        my ($text) = @_;
        return undef unless defined $text;
        $text =~ s/$_/<MASK>/g for @masks;
        return $text;
    };

    my %actual = (stdout => $out, stderr => $err, exit => "$code\n");
    my %expected = (
        stdout => slurp("$case/stdout") // '',
        stderr => slurp("$case/stderr") // '',
        exit => slurp("$case/exit") // "0\n",
    );

    if (-d "$case/expect") {
        find({ no_chdir => 1, wanted => sub {
            return if -d $_;
            my $rel = substr($File::Find::name, length("$case/expect/"));
            $expected{"expect/$rel"} = slurp($_);
            $actual{"expect/$rel"} = slurp("$work/$rel");
        } }, "$case/expect");
    }

    if ($regen) {
        for my $k (sort keys %actual) {
            my $path = "$case/$k";
            my $data = $actual{$k};
            if (!defined $data) {
                unlink $path;
                next;
            }
            if (($k eq 'stdout' || $k eq 'stderr') && $data eq '') {
                unlink $path;
                next;
            }
            if ($k eq 'exit' && $data eq "0\n") {
                unlink $path;
                next;
            }
            spew($path, $data);
        }
        pass("$name: expectations rewritten");
        return;
    }

    my $trace;

    for my $k (sort keys %expected) {
        my ($got, $want) = ($mask->($actual{$k}), $mask->($expected{$k}));
        my $where = '';

        if ((defined $got ? $got : "\0") ne (defined $want ? $want : "\0")
            && $cmd[1] && $cmd[1] eq 'cmd' && $k !~ m{^expect/})
        {
            $trace //= trace_cmd($case, $name, $stdin);
            $where = " (cmd: " . culprit($trace, $k, $got, $want) . ")";
        }

        is($got, $want, "$name: $k$where");
    }

    diag("$name: cmd under sh -x:\n$trace") if defined $trace;

    # every input line has at most one outcome line (docs/cli.md)
    for my $k (sort grep { m{^expect/.*report.*\.ndjson$} } keys %actual) {
        next unless defined $actual{$k};
        my %seen;
        my @twice;
        for my $l (split /\n/, $actual{$k}) {
            my $r = eval { JSON::PP::decode_json($l) };
            next unless $r && ($r->{type} // '') eq 'record';
            my $at = "$r->{source}:$r->{line}";
            push @twice, $at if $seen{$at}++;
        }
        is("@twice", '', "$name: $k: one line per record");
    }
}


# A scratch copy of the case: its files, its fixtures, setup run.  Returns
# the directory, or undef after a failed test.
sub prepare {
    my ($case, $name) = @_;

    my $work = tempdir("ps-case-XXXXXX", TMPDIR => 1, CLEANUP => 1);

    copy_tree($case, $work);

    if (-e "$case/fixtures") {
        for my $line (grep { /\S/ } split /\n/, slurp("$case/fixtures")) {
            my ($fixture, $as) = split ' ', $line;
            $as //= $fixture;
            if (!-f "$fixtures/$fixture") {
                fail("$name: no fixture $fixture in $fixtures");
                return undef;
            }
            if (-e "$case/$as") {
                fail("$name: fixture $fixture: the case has its own $as");
                return undef;
            }
            copy("$fixtures/$fixture", "$work/$as")
                or die "copy $fixture: $!";
        }
    }

    if (-e "$case/setup") {
        my ($out, $err, $code) = run($work, '/dev/null', '/bin/sh', 'setup');
        if ($code != 0) {
            fail("$name: setup failed (exit $code)");
            diag($out . $err);
            return undef;
        }
    }

    return $work;
}


# The case's cmd again, in a fresh copy, traced: one transcript of its
# output, each command run on a line of its own starting with "+[cmd] ".
sub trace_cmd {
    my ($case, $name, $stdin) = @_;

    my $work = prepare($case, "$name (traced)") or return '';
    $stdin = "$work/stdin" if $stdin ne '/dev/null';

    local $ENV{PS4} = '+[cmd] ';
    my ($out) = run($work, $stdin, { merge => 1 }, '/bin/sh', '-x', 'cmd');

    return $out;
}


# The command of the transcript that printed the first line where $got
# differs from $want (for the exit code: the last command run).
sub culprit {
    my ($trace, $k, $got, $want) = @_;

    my @lines = split /\n/, $trace;
    my @cmds = grep { /^\+\[cmd\] / } @lines;
    my $name = sub {
        (my $c = $_[0] // '(none)') =~ s/^\+\[cmd\] //;
        $c =~ s/\Q$bin\E/\$PS/g;
        return "`$c`";
    };

    return "last command " . $name->($cmds[-1]) if $k eq 'exit';

    my @g = split /\n/, $got // '';
    my @w = split /\n/, $want // '';
    my $i = 0;
    $i++ while $i < @g && $i < @w && $g[$i] eq $w[$i];

    # walk the transcript, matching the stream's lines in order
    my ($last, $after, $n) = (undef, undef, 0);

    for my $l (@lines) {
        if ($l =~ /^\+\[cmd\] /) {
            $last = $l;
            $after //= $l if $n == $i && $i > 0;
            next;
        }
        next unless $n < @g && $l eq $g[$n];
        return "line " . ($i + 1) . " from " . $name->($last) if $n == $i;
        $n++;
    }

    # the differing line is missing: the command after the last one found
    return "line " . ($i + 1) . " missing, after "
           . $name->($i > 0 ? $after // $last : $cmds[0]);
}
