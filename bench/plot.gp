# Cost per packet by feature set: `make bench` runs this on the report's data.
# gnuplot -e "datafile='build/bench-plot.dat'; outfile='bench/report.svg'" bench/plot.gp
set terminal svg size 960,480 dynamic font "sans,12" background "white"
set output outfile
set title "xdpcount: cost per packet under BPF\\_PROG\\_TEST\\_RUN (median ns per run)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set ylabel "ns per packet"
set xlabel "program (feature set)"
set yrange [0:*]
set grid ytics
set key top left noenhanced
set xtics noenhanced
plot for [i=2:*] datafile using i:xtic(1) title columnheader(i)
