-- wrk prints p50/p95/p99 in milliseconds (HdrHistogram values, like our nearest-rank figures)
done = function(summary, latency, requests)
  io.write(string.format("WRK p50=%.3f p95=%.3f p99=%.3f n=%d\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests))
end
