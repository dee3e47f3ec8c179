# gnuplot -e "datafile='...'; outfile='...'; plottitle='...'" plot.gp
# datafile columns: label, CPU us/request, p99 ms, ratio label
set terminal pngcairo size 1100,780 font "DejaVu Sans,10"
set output outfile
set multiplot layout 2,1 title plottitle font ",12"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.8
set grid ytics
set xtics rotate by -25 scale 0 nomirror
set key off
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
set ylabel "server CPU per request (us)"
plot datafile using 2:xtic(1) lc rgb "#3b75af", \
     '' using 0:2:4 with labels offset 0,0.8 font ",9"
set ylabel "p99 latency (ms)"
plot datafile using 3:xtic(1) lc rgb "#d98c2b", \
     '' using 0:3:(sprintf("%.2f", $3)) with labels offset 0,0.8 font ",9"
unset multiplot
