package Test::Nginx::Harness::Health;

# The harness's own checks after a block, over everything its nginx
# logged (startup and shutdown included): problem lines, how nginx exited,
# valgrind reports. They only add a (failing) subtest when something is
# wrong, so that plans count as upstream's.
#
# $o is { name, block, layout (see Conf::servroot_layout), valgrind,
# valgrind_exit, stop_grace }.

use strict;
use warnings;

use Exporter 'import';
use POSIX qw(:sys_wait_h);
use Test::More ();

use Test::Nginx::Harness::ErrorLog qw(
    read_all value_contains scan_problems valgrind_problems
);
use Test::Nginx::Harness::Process qw(describe_status);

our @EXPORT_OK = qw(check_health diag_logs);


# $stopped is what Process::stop returned, undef for --- must_die.
sub check_health {
    my ($o, $stopped) = @_;

    my $layout = $o->{layout};
    my $lines = [@{ read_all($layout->{error_log}) },
                 @{ read_all($layout->{stderr_log}) }];
    my $found = scan_problems($lines, allowed_problems($o->{block}));

    for my $cat (sort keys %$found) {
        fail_with_lines("$o->{name} - $cat in error.log (harness check)",
                        $found->{$cat});
    }

    return if !$stopped;

    check_exit($o, $stopped);
    check_valgrind($o, $stopped) if $o->{valgrind};
}


# [alert]/[crit]/[emerg] lines are expected when the block's error_log
# or no_error_log patterns name the level (upstream's rule for its
# warnings); [emerg] is expected from a --- must_die block.
sub allowed_problems {
    my ($block) = @_;

    my $want = $block->error_log;
    my $forbid = $block->no_error_log;
    my %allowed;

    for my $level (qw(alert crit emerg)) {
        $allowed{"[$level]"} = 1
            if value_contains($want, "[$level")
            || value_contains($forbid, "[$level");
    }

    $allowed{'[emerg]'} = 1 if defined $block->must_die;

    return \%allowed;
}


sub check_exit {
    my ($o, $stopped) = @_;

    my $status = $stopped->{status};
    my $code = WIFEXITED($status) ? WEXITSTATUS($status) : 0;

    if ($stopped->{killed}) {
        warn "WARNING: $o->{name} - nginx did not exit within "
             . "$o->{stop_grace}s of SIGQUIT; killed\n";

    } elsif (WIFSIGNALED($status)) {
        Test::More::fail("$o->{name} - nginx exited on "
                         . describe_status($status));

    } elsif ($code != 0
             && !($o->{valgrind} && $code == $o->{valgrind_exit}))
    {
        Test::More::fail("$o->{name} - nginx exited with "
                         . describe_status($status) . ' after SIGQUIT');
    }
}


sub check_valgrind {
    my ($o, $stopped) = @_;

    my $dir = $o->{layout}{log_dir};
    my $errors = valgrind_problems($dir);
    my $status = $stopped->{status};
    my $exit = !$stopped->{killed} && WIFEXITED($status)
               && WEXITSTATUS($status) == $o->{valgrind_exit};

    return if !@$errors && !$exit;

    fail_with_lines("$o->{name} - valgrind reported errors (see "
                    . "$dir/valgrind.*.log)", $errors);
}


sub fail_with_lines {
    my ($desc, $lines) = @_;

    Test::More::fail($desc);

    my @shown = @$lines > 5 ? @$lines[0 .. 4] : @$lines;
    my $more = @$lines - @shown;
    Test::More::diag(join '', map { "    $_" } @shown) if @shown;
    Test::More::diag("    ... and $more more") if $more;
}


# The last lines of stderr.log and error.log, after a start failure.
sub diag_logs {
    my ($layout) = @_;

    for my $file (@$layout{qw(stderr_log error_log)}) {
        my $lines = read_all($file);
        next if !@$lines;

        my $from = @$lines > 20 ? @$lines - 20 : 0;
        Test::More::diag("--- $file:\n", @$lines[$from .. $#$lines]);
    }
}


1;
