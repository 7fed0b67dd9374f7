#pragma once

#include <authpp/auth/rate_limit.hpp>
#include <authpp/core/result.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

// Rate-limit counters in Redis, so that a fleet of servers holds one count per client address
// and per account: an attacker spreading guesses over the instances gains nothing.
namespace authpp::redis {

// redis_address is a parsed `redis://[[user]:password@]host[:port][/db]` URL (user and password
// percent-decoded).
struct redis_address {
  std::string host{};
  int port = 6379;
  std::string user{}, password{};  // AUTH when the password is set
  int db = 0;
};

// parse_redis_url reads `url`. It fails with errc::invalid_config, the detail naming the key
// (`field`, unless empty) and never the password, unless it is redis:// with a host, an optional
// port in 1..65535 and an optional database number.
result<redis_address> parse_redis_url(std::string_view url, std::string_view field);

struct counter_store_options {
  redis_address address{};
  // key_prefix starts every key, so that one Redis can serve other applications too.
  std::string key_prefix = "authpp:rl:";
  // timeout bounds connecting and each command: a request waits for Redis this long at most.
  std::chrono::milliseconds timeout{200};
  // max_connections bounds the connections to Redis; a call finding them all busy waits up to
  // `timeout` for one.
  std::size_t max_connections = 8;
  // retry_after: once Redis could not be reached, calls fail at once for this long instead of
  // each waiting `timeout`, then one call tries again.
  std::chrono::milliseconds retry_after{2000};
};

// make_counter_store returns a counter_store on Redis. Counts are atomic across every client of
// the Redis server (one Lua script per add), and windows run on Redis's clock: the `now` passed
// to add and get only dates the expiry they return. No connection is made until the first call.
// Calls fail with
//   errc::storage_unavailable if Redis cannot be reached or does not answer within `timeout`
//                             (the engine then applies no limit to the request, and logs it),
//   errc::storage_failure     if Redis answers with an error (NOAUTH, a wrong database, …).
// Error details name host:port, never the password.
std::shared_ptr<counter_store> make_counter_store(counter_store_options options);

}  // namespace authpp::redis
