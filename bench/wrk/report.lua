-- The done() hook of every wrk load script here (profiles.lua,
-- access.lua, clients.lua, caching.lua load this file): one line
-- "WRK_JSON {...}" with the run's counts, errors and latency
-- percentiles, which bench/lib/wrk.mjs reads.

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,'
        .. '"errors_connect":%d,"errors_read":%d,"errors_write":%d,'
        .. '"errors_timeout":%d,"non2xx":%d,'
        .. '"lat_p50_us":%d,"lat_p90_us":%d,"lat_p99_us":%d,'
        .. '"lat_p999_us":%d,"lat_max_us":%d,"lat_mean_us":%.1f}\n',
        summary.requests, summary.duration, summary.bytes,
        e.connect, e.read, e.write, e.timeout, e.status,
        latency:percentile(50), latency:percentile(90),
        latency:percentile(99), latency:percentile(99.9),
        latency.max, latency.mean))
end
