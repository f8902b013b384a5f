-- wrk script of bench/: prints the run's figures as one JSON line, and paces requests when asked.
--
-- WRK_DELAY_MS: each connection waits this long after a response before its next request, so that
-- C connections offer about C * 1000 / (WRK_DELAY_MS + latency) requests a second (wrk has no fixed
-- rate of its own; Debian has no wrk2).

-- The product runs behind a TLS proxy that says so; without the header it would redirect to https.
wrk.headers["X-Forwarded-Proto"] = "https"

local delay_ms = tonumber(os.getenv("WRK_DELAY_MS") or "0")
if delay_ms > 0 then
   function delay()
      return delay_ms
   end
end

function done(summary, latency, requests)
   io.write(string.format(
      '{"requests":%d,"duration_us":%d,"bytes":%d,"errors_connect":%d,"errors_read":%d,' ..
      '"errors_write":%d,"errors_status":%d,"errors_timeout":%d,"latency_mean_us":%.1f,' ..
      '"latency_p50_us":%d,"latency_p90_us":%d,"latency_p99_us":%d,"latency_max_us":%d}\n',
      summary.requests, summary.duration, summary.bytes, summary.errors.connect, summary.errors.read,
      summary.errors.write, summary.errors.status, summary.errors.timeout, latency.mean,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
