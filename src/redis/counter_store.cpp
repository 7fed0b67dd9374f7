// counter_store on Redis through hiredis (blocking, with timeouts): a small pool of connections,
// one Lua script per count so that concurrent servers never lose an increment, and a short
// back-off once Redis is unreachable so that an outage costs requests nothing but a log line.
#include <authpp/http/uri_component.hpp>
#include <authpp/redis/counter_store.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <mutex>
#include <vector>

#include <hiredis/hiredis.h>
#include <sys/time.h>

namespace authpp::redis {
namespace {

// add: count one, start the window on the first count (and mend a key left without a TTL).
constexpr std::string_view add_script = R"(local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl})";

constexpr std::string_view get_script = R"(local n = redis.call('GET', KEYS[1])
if not n then return {0, 0} end
return {tonumber(n), redis.call('PTTL', KEYS[1])})";

struct context_deleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
using context_ptr = std::unique_ptr<redisContext, context_deleter>;

struct reply_deleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using reply_ptr = std::unique_ptr<redisReply, reply_deleter>;

// command sends one command, its arguments binary-safe; null when the connection failed.
reply_ptr command(redisContext* c, const std::vector<std::string_view>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  return reply_ptr(static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lengths.data())));
}

timeval to_timeval(std::chrono::milliseconds ms) {
  return {.tv_sec = static_cast<time_t>(ms.count() / 1000),
          .tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

class redis_counter_store final : public counter_store {
 public:
  explicit redis_counter_store(counter_store_options options)
      : options_(std::move(options)),
        where_(options_.address.host + ":" + std::to_string(options_.address.port)) {}

  result<count> add(std::string_view key, std::chrono::seconds ttl,
                    clock::time_point now) override {
    const std::string ms = std::to_string(std::chrono::milliseconds(ttl).count());
    return counted(run({"EVAL", add_script, "1", prefixed(key), ms}), now);
  }

  result<count> get(std::string_view key, clock::time_point now) override {
    return counted(run({"EVAL", get_script, "1", prefixed(key)}), now);
  }

  result<void> remove(std::string_view key) override {
    auto r = run({"DEL", prefixed(key)});
    if (!r) return r.error();
    return {};
  }

  bool waits_for_io() const override { return true; }

 private:
  std::string prefixed(std::string_view key) const {
    return options_.key_prefix + std::string(key);
  }

  // counted reads the scripts' {value, milliseconds left}.
  result<count> counted(result<reply_ptr> reply, clock::time_point now) const {
    if (!reply) return reply.error();
    const redisReply* r = reply->get();
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
        r->element[0]->type != REDIS_REPLY_INTEGER || r->element[1]->type != REDIS_REPLY_INTEGER) {
      return auth_error{errc::storage_failure, where_ + ": unexpected reply to a count"};
    }
    count c;
    c.value = static_cast<std::uint64_t>(std::max<long long>(0, r->element[0]->integer));
    c.expires = now + std::chrono::milliseconds(std::max<long long>(0, r->element[1]->integer));
    return c;
  }

  // run sends one command on a pooled connection. A connection that failed is dropped, and
  // Redis is then left alone for retry_after.
  result<reply_ptr> run(const std::vector<std::string_view>& args) {
    auto conn = acquire();
    if (!conn) return conn.error();
    reply_ptr reply = command(conn->get(), args);
    if (!reply) {
      auto e = unavailable((*conn)->errstr);
      release(nullptr);
      return e;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
      const std::string why(reply->str, reply->len);
      release(std::move(*conn));
      return auth_error{errc::storage_failure, where_ + " answered: " + why.substr(0, 200)};
    }
    release(std::move(*conn));
    return reply;
  }

  auth_error unavailable(std::string_view why) {
    down_until_ =
        std::chrono::steady_clock::now().time_since_epoch().count() +
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(options_.retry_after)
            .count();
    return auth_error{errc::storage_unavailable, where_ + ": " + std::string(why)};
  }

  // acquire takes an idle connection, or opens one while fewer than max_connections exist, or
  // waits up to `timeout` for one to come back.
  result<context_ptr> acquire() {
    if (std::chrono::steady_clock::now().time_since_epoch().count() < down_until_) {
      return auth_error{errc::storage_unavailable, where_ + ": unreachable a moment ago"};
    }
    {
      std::unique_lock lock(mutex_);
      const bool ready = returned_.wait_for(lock, options_.timeout, [this] {
        return !idle_.empty() || open_ < std::max<std::size_t>(1, options_.max_connections);
      });
      if (!ready) {
        return auth_error{errc::storage_unavailable, where_ + ": every connection is busy"};
      }
      if (!idle_.empty()) {
        context_ptr c = std::move(idle_.back());
        idle_.pop_back();
        return c;
      }
      ++open_;
    }
    auto c = connect();
    if (!c) release(nullptr);
    return c;
  }

  // release returns a connection to the pool; nullptr gives up its slot.
  void release(context_ptr c) {
    {
      std::lock_guard lock(mutex_);
      if (c) {
        idle_.push_back(std::move(c));
      } else {
        --open_;
      }
    }
    returned_.notify_one();
  }

  result<context_ptr> connect() {
    const auto& a = options_.address;
    context_ptr c(redisConnectWithTimeout(a.host.c_str(), a.port, to_timeval(options_.timeout)));
    if (!c) return unavailable("cannot allocate a connection");
    if (c->err != 0) return unavailable(c->errstr);
    if (redisSetTimeout(c.get(), to_timeval(options_.timeout)) != REDIS_OK) {
      return unavailable("cannot set the timeout");
    }
    const auto setup = [&](std::vector<std::string_view> args) -> result<void> {
      const reply_ptr r = command(c.get(), args);
      if (!r) return unavailable(c->errstr);
      if (r->type == REDIS_REPLY_ERROR) {
        // Never the command: it may hold the password.
        return auth_error{errc::storage_failure,
                          where_ + " refused " + std::string(args[0]) + ": " +
                              std::string(r->str, std::min<std::size_t>(r->len, 200))};
      }
      return {};
    };
    if (!a.password.empty()) {
      auto ok = a.user.empty() ? setup({"AUTH", a.password}) : setup({"AUTH", a.user, a.password});
      if (!ok) return ok.error();
    }
    if (a.db != 0) {
      const std::string db = std::to_string(a.db);
      if (auto ok = setup({"SELECT", db}); !ok) return ok.error();
    }
    return c;
  }

  const counter_store_options options_;
  const std::string where_;
  std::atomic<std::chrono::steady_clock::rep> down_until_{0};
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<context_ptr> idle_;
  std::size_t open_ = 0;  // connections idle or in use
};

auth_error bad_url(std::string_view field, std::string_view why) {
  return auth_error{errc::invalid_config, field.empty()
                                              ? std::string(why)
                                              : std::string(field) + ": " + std::string(why)};
}

bool parse_int(std::string_view s, int lo, int hi, int& out) {
  int v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v < lo || v > hi) return false;
  out = v;
  return true;
}

}  // namespace

result<redis_address> parse_redis_url(std::string_view url, std::string_view field) {
  constexpr std::string_view scheme = "redis://";
  if (!url.starts_with(scheme)) return bad_url(field, "expected redis://host[:port][/db]");
  std::string_view rest = url.substr(scheme.size());
  redis_address a;
  std::string_view path;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = userinfo.find(':');
    if (colon == std::string_view::npos) return bad_url(field, "userinfo without a password");
    // Percent-decoded, as in any URL: a password may hold '@', ':' or '/' written as %40, %3A, %2F.
    auto user = http::decode_uri_component(userinfo.substr(0, colon));
    auto password = http::decode_uri_component(userinfo.substr(colon + 1));
    if (!user || !password) return bad_url(field, "bad percent-encoding in the user or password");
    a.user = std::move(*user);
    a.password = std::move(*password);
  }
  std::string_view host = rest;
  if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    if (!parse_int(rest.substr(colon + 1), 1, 65535, a.port)) {
      return bad_url(field, "port must be in 1..65535");
    }
  }
  if (host.empty()) return bad_url(field, "no host");
  if (host.find_first_of("[]?#") != std::string_view::npos) return bad_url(field, "bad host");
  a.host = std::string(host);
  if (!path.empty() && !parse_int(path, 0, 1'000'000, a.db)) {
    return bad_url(field, "the path must be a database number");
  }
  return a;
}

std::shared_ptr<counter_store> make_counter_store(counter_store_options options) {
  return std::make_shared<redis_counter_store>(std::move(options));
}

}  // namespace authpp::redis
