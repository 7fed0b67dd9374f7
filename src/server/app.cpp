#include <authpp/auth/auth.hpp>
#include <authpp/auth/store_credentials.hpp>
#include <authpp/core/constant_time.hpp>
#include <authpp/providers/presets.hpp>
#include <authpp/redis/counter_store.hpp>
#include <authpp/server/app.hpp>
#include <authpp/server/bootstrap.hpp>
#include <authpp/server/email.hpp>
#include <authpp/server/forward_auth.hpp>
#include <authpp/server/http_server.hpp>
#include <authpp/server/metrics.hpp>
#include <authpp/server/store.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "demo_page.hpp"

namespace authpp::server {

namespace {

// oauth_from_settings turns a [[providers]] table into the engine's provider: the preset its
// type names, with the table's values over the preset's. It fails with errc::invalid_config for a
// type no preset has (load_config refuses those already; a hand-built app_config may not).
result<oauth_provider> oauth_from_settings(const provider_settings& s) {
  auto made = providers::preset(s.type, {s.client_id, s.client_secret, s.issuer});
  if (!made) {
    return auth_error{errc::invalid_config, "providers: unknown type \"" + s.type +
                                                "\"; expected " + providers::preset_names()};
  }
  oauth_provider p = std::move(*made);
  p.id = s.id;
  if (!s.name.empty()) p.name = s.name;
  if (!s.scope.empty()) p.scope = s.scope;
  if (s.checks) {
    const auto has = [&s](std::string_view c) {
      return std::find(s.checks->begin(), s.checks->end(), c) != s.checks->end();
    };
    p.checks = {has("pkce"), has("state"), has("nonce")};
  }
  if (!s.authorization_endpoint.empty()) p.authorization_endpoint = s.authorization_endpoint;
  if (!s.token_endpoint.empty()) p.token_endpoint = s.token_endpoint;
  if (!s.userinfo_endpoint.empty()) p.userinfo_endpoint = s.userinfo_endpoint;
  p.authorization_params.insert(p.authorization_params.end(), s.authorization_params.begin(),
                                s.authorization_params.end());
  return p;
}

}  // namespace

namespace {

// metrics_observer counts the engine's sign-in attempts and rate-limit refusals for /metrics,
// leaving the engine's events to whoever configures them.
class metrics_observer final : public observer {
 public:
  explicit metrics_observer(server::metrics& m) : metrics_(m) {}
  void sign_in_attempted(const sign_in_attempt& a) override { metrics_.sign_in(a.succeeded); }
  void rate_limited(const rate_limited_event& e) override { metrics_.rate_limited(e.limit); }

 private:
  server::metrics& metrics_;
};

// runner_on gives the engine (and the credentials provider) a way to run blocking work on `pool`.
blocking_runner runner_on(std::shared_ptr<worker_pool> pool) {
  return
      [pool = std::move(pool)](std::function<void()> work) -> boost::asio::awaitable<result<void>> {
        auto ran = co_await pool->run([&work] {
          work();
          return true;
        });
        if (!ran) co_return ran.error();
        co_return result<void>{};
      };
}

log_level parse_level(std::string_view s) {
  if (s == "debug") return log_level::debug;
  if (s == "warn") return log_level::warn;
  if (s == "error") return log_level::error;
  return log_level::info;
}

// reads tells whether `req` is a GET or HEAD of `path` (whatever its query).
bool reads(const http::request& req, std::string_view path) {
  const std::string_view target = req.target;
  return (req.method == "GET" || req.method == "HEAD") &&
         target.substr(0, target.find('?')) == path;
}

http::response json_response(int status, std::string body) {
  http::response res;
  res.status = status;
  res.headers.add("Content-Type", "application/json");
  res.headers.add("Cache-Control", "no-store");
  res.body = std::move(body);
  return res;
}

}  // namespace

struct app::state {
  app_config config;
  std::shared_ptr<adapters::adapter> store;
  server::metrics metrics;   // before the engine, whose observer counts into it
  std::string forward_path;  // {base_path}/forward, made once: serve() compares every request
  std::optional<authpp::auth> engine;
  std::mutex log_mutex;  // keeps log lines whole
  log_level level = log_level::info;
  std::shared_ptr<worker_pool> pool;  // password checks: slow, CPU-bound
  // Store calls (database sessions, revocation checks, health) wait on a pool of their own: a
  // flood of password guesses filling the first must not stop session reads.
  std::shared_ptr<worker_pool> store_pool;
  // Background work on a loop of its own: OAuth providers are checked at start, then every 15 s
  // while one is unavailable and every 10 minutes otherwise; expired rows are purged at start,
  // then every storage.purge_interval.
  boost::asio::io_context background_loop;
  std::thread background;
  // Last, so destroyed first: until its threads are joined, handlers and hooks use all the above.
  std::unique_ptr<http_server> metrics_server;  // with metrics.listen
  std::unique_ptr<http_server> server;

  // The server's threads stop first, then the pool's: work finishing on the pool resumes its
  // request on the server's (stopped, still existing) loops, whose queues die with the server.
  ~state() {
    background_loop.stop();
    if (background.joinable()) background.join();
    for (auto* s : {server.get(), metrics_server.get()}) {
      if (s == nullptr) continue;
      s->stop();
      s->wait();
    }
    if (pool) pool->stop();
    if (store_pool) store_pool->stop();
  }

  // Error lines of one code are throttled: a flood of failing requests (a database gone, an
  // attacker's garbage) must not drown the log or the disk. Five a second per code pass; the
  // next line that passes says how many were held back.
  struct error_window {
    std::chrono::steady_clock::time_point start{};
    unsigned passed = 0;
    unsigned long long held = 0;
  };
  std::map<std::string, error_window, std::less<>> error_windows;  // guarded by log_mutex

  void log(log_level l, std::string_view code, std::string_view message) {
    if (l < level) return;
    std::lock_guard lock(log_mutex);
    unsigned long long held = 0;
    if (l >= log_level::error) {
      auto it = error_windows.find(code);
      if (it == error_windows.end())
        it = error_windows.emplace(std::string(code), error_window{}).first;
      error_window& w = it->second;
      const auto now = std::chrono::steady_clock::now();
      if (now - w.start >= std::chrono::seconds(1)) {
        w.start = now;
        w.passed = 0;
      }
      if (w.passed >= 5) {
        ++w.held;
        return;
      }
      ++w.passed;
      held = std::exchange(w.held, 0);
    }
    std::cerr << "[authpp][" << to_string(l) << "] " << code << ": " << message;
    if (held != 0) std::cerr << " (" << held << " more like it held back)";
    std::cerr << std::endl;
  }

  void serve(http::request req, responder respond);
  void answer_later(boost::asio::awaitable<http::response> answer, responder respond,
                    std::string_view what);
  http::response handle(const http::request& req);
  bool is_health(const http::request& req) const;
  boost::asio::awaitable<http::response> health();
  boost::asio::awaitable<void> check_providers();
  boost::asio::awaitable<void> purge_expired();
  http::response metrics_page(const http::request& req);
  bool is_home(const http::request& req) const;
  bool is_forward_auth(const http::request& req) const;
  boost::asio::awaitable<http::response> home(http::request req);
};

// serve answers at once, except what waits for a worker pool (a password check, a store call,
// /healthz): that waits as a coroutine on the connection's own loop, whose thread serves others.
void app::state::serve(http::request req, responder respond) {
  if (is_health(req)) return answer_later(health(), std::move(respond), "health check");
  if (is_home(req)) return answer_later(home(std::move(req)), std::move(respond), "home page");
  if (is_forward_auth(req)) {
    return answer_later(forward_auth(*engine, config.forward_auth, std::move(req)),
                        std::move(respond), "forward-auth");
  }
  if (!engine->awaits(req)) return respond(handle(req));
  answer_later(engine->handle_async(std::move(req)), std::move(respond), "engine");
}

// answer_later runs `answer` on the connection's loop and responds with its result. A client
// gone before its answer cancels the wait: work still queued gives up its place.
void app::state::answer_later(boost::asio::awaitable<http::response> answer, responder respond,
                              std::string_view what) {
  auto slot = respond.cancellation_slot();
  boost::asio::co_spawn(respond.executor(), std::move(answer),
                        boost::asio::bind_cancellation_slot(
                            slot, [this, respond, what](std::exception_ptr e, http::response res) {
                              if (e) {
                                log(log_level::error, "InternalError",
                                    std::string(what) + " coroutine failed");
                                res = json_response(500, "\"Internal error.\"");
                              }
                              respond(std::move(res));
                            }));
}

http::response app::state::handle(const http::request& req) {
  const std::string_view target = req.target;
  const std::string_view path = target.substr(0, target.find('?'));
  if (engine->handles(path)) return engine->handle(req);
  if (req.method == "GET" || req.method == "HEAD") {
    if (path == "/metrics" && !config.metrics.listen) return metrics_page(req);
  }
  return json_response(404, "\"Not found.\"");
}

// metrics_page renders /metrics, behind the bearer token when one is configured.
http::response app::state::metrics_page(const http::request& req) {
  if (!config.metrics.token.empty()) {
    const std::string_view given = req.headers.get("Authorization").value_or("");
    const std::string expected = "Bearer " + config.metrics.token;
    if (!constant_time_equal(given, expected)) {
      http::response res = json_response(401, "\"Unauthorized.\"");
      res.headers.add("WWW-Authenticate", "Bearer realm=\"metrics\"");
      return res;
    }
  }
  http::response res;
  res.headers.add("Content-Type", "text/plain; version=0.0.4");
  res.headers.add("Cache-Control", "no-store");
  res.body = metrics.render() +
             worker_pool_metrics({{"password", pool->stats()}, {"store", store_pool->stats()}});
  return res;
}

bool app::state::is_forward_auth(const http::request& req) const {
  return config.forward_auth.enabled && reads(req, forward_path);
}

bool app::state::is_home(const http::request& req) const { return reads(req, "/"); }

bool app::state::is_health(const http::request& req) const { return reads(req, "/healthz"); }

// health is 200 while the database answers; an OAuth provider that cannot be reached is
// reported (its sign-ins fail) without failing the whole server: other providers still work.
// The database is asked on the store pool: a slow one must not stall an I/O thread.
boost::asio::awaitable<http::response> app::state::health() {
  json body = json::object();
  bool ok = true;
  auto db = co_await store_pool->run([this] { return store->check_health(); });
  if (!db || !*db) {
    log(log_level::error, "StorageUnavailable", !db ? db.error().message() : db->error().message());
    ok = false;
  }
  body["status"] = ok ? "ok" : "unavailable";
  body["database"] = ok ? "ok" : "unavailable";
  const auto providers = engine->oauth_status();
  if (!providers.empty()) {
    json list = json::object();
    for (const auto& p : providers) {
      list[p.id] =
          p.available ? json("ok") : json{{"status", "unavailable"}, {"problem", p.problem}};
    }
    body["providers"] = std::move(list);
  }
  co_return json_response(ok ? 200 : 503, body.dump());
}

// purge_expired deletes expired database sessions and verification tokens, blocking this loop's
// thread (never a request's) for the few deletes.
boost::asio::awaitable<void> app::state::purge_expired() {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  for (;;) {
    auto done = adapters::purge_expired(*store, std::chrono::system_clock::now());
    if (!done) {
      log(log_level::warn, "PurgeFailed", done.error().message());
    } else if (done->sessions + done->verification_tokens > 0) {
      log(log_level::info, "Purged",
          std::to_string(done->sessions) + " expired sessions and " +
              std::to_string(done->verification_tokens) + " expired verification tokens deleted");
    }
    timer.expires_after(config.storage.purge_interval);
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
}

boost::asio::awaitable<void> app::state::check_providers() {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  for (;;) {
    co_await engine->check_providers();
    const auto status = engine->oauth_status();
    const bool all_up =
        std::all_of(status.begin(), status.end(), [](const auto& p) { return p.available; });
    for (const auto& p : status) {
      if (!p.available) log(log_level::warn, "ProviderUnavailable", p.id + ": " + p.problem);
    }
    timer.expires_after(all_up ? std::chrono::minutes(10) : std::chrono::seconds(15));
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
}

// home is the demo page at `/`: who is signed in, asked of the engine as any embedder asks it
// (auth::session), with the renewed session cookie passed on.
boost::asio::awaitable<http::response> app::state::home(http::request req) {
  const bool tls = req.tls;
  auto session = co_await engine->session_async(std::move(req));
  if (!session) {
    switch (session.error().code) {
      case errc::storage_unavailable: {
        http::response res = json_response(503, "\"Service unavailable.\"");
        res.headers.add("Retry-After", "1");
        co_return res;
      }
      case errc::malformed_input:
      case errc::limit_exceeded:
        co_return json_response(400, "\"Bad request.\"");
      default:
        log(log_level::error, "HomePage", session.error().message());
        co_return json_response(500, "\"Internal error.\"");
    }
  }
  http::response res;
  res.headers.add("Content-Type", "text/html; charset=utf-8");
  res.headers.add("Content-Security-Policy", demo_page_csp());
  res.headers.add("Cache-Control", "private, no-store");
  res.headers.add("X-Content-Type-Options", "nosniff");
  res.headers.add("X-Frame-Options", "DENY");
  res.headers.add("Referrer-Policy", "no-referrer");
  if (tls) res.headers.add("Strict-Transport-Security", "max-age=31536000");
  for (const auto& cookie : session->headers) res.headers.add(cookie.name, cookie.value);
  res.body = render_demo_page(session->session.value_or(json(nullptr)), config.auth.base_path);
  co_return res;
}

result<std::unique_ptr<app>> app::start(app_config config, std::ostream& out) {
  auto s = std::make_unique<state>();
  s->level = parse_level(config.log.level);

  if (config.storage.database.empty()) {
    config.storage.database =
        (std::filesystem::path(config.storage.data_dir) / "authpp.db").string();
  }
  if (config.auth.secrets.empty()) {
    if (!config.dev) {
      return auth_error{errc::invalid_config,
                        "auth.secrets: no secret configured; set AUTH_SECRET or auth.secrets"};
    }
    auto secret = ensure_dev_secret(config.storage.data_dir);
    if (!secret) return secret.error();
    config.auth.secrets.push_back(std::move(*secret));
  }
  if (config.dev && !config.auth.url) config.auth.trust_host = true;
  auto weak = check_secrets(config);
  if (!weak) return weak.error();
  for (const std::string& warning : *weak) s->log(log_level::warn, "WeakSecret", warning);

  auto store = open_store(config);
  if (!store) return store.error();
  s->store = std::move(*store);

  if (config.dev) {
    auto demo = ensure_demo_user(*s->store);
    if (!demo) return demo.error();
    if (*demo) {
      out << "Created a demo user (shown once):\n  email:    " << (*demo)->email
          << "\n  password: " << (*demo)->password << "\n";
    }
  }

  s->pool = std::make_shared<worker_pool>(worker_pool_options{
      .threads = config.server.worker_threads, .max_queue = config.server.worker_queue});
  // Store calls mostly wait for the database: a few threads, more than the cores.
  s->store_pool = std::make_shared<worker_pool>(
      worker_pool_options{.threads = 4, .max_queue = config.server.worker_queue});

  // The engine's options come as configured (app_config::auth); the server adds its providers,
  // the store and the hooks that tie the engine to its pools, logs and metrics.
  auth_config ac = config.auth;
  // The hosts forward-auth guards send their users here to sign in, and get them back.
  if (config.forward_auth.enabled && ac.redirect_hosts.empty()) {
    ac.redirect_hosts = config.forward_auth.allowed_hosts;
  }
  ac.providers.push_back(store_credentials_provider(s->store, {}, runner_on(s->pool)));
  for (const provider_settings& p : config.providers) {
    auto provider = oauth_from_settings(p);
    if (!provider) return provider.error();
    ac.providers.push_back(std::move(*provider));
  }
  auto email = email_from_settings(config.email, config.storage.data_dir);
  if (!email) return email.error();
  if (*email) ac.providers.push_back(std::move(**email));
  if (config.passkey.enabled.value_or(config.dev)) ac.providers.push_back(config.passkey.provider);
  // The account page; in dev mode with TOTP, so that a newcomer can try both factors at once.
  ac.account.enabled = config.account.enabled.value_or(config.dev);
  ac.account.recent_sign_in = config.account.recent_sign_in;
  if (config.dev && ac.account.enabled && !config.totp_configured) ac.totp.enabled = true;
  // The store is the engine's adapter: OAuth users and their accounts are stored there, and
  // database sessions when configured. Its calls run on the store pool, never on an I/O thread.
  ac.adapter = s->store;
  ac.run_blocking = runner_on(s->store_pool);
  ac.limits.max_body_bytes = config.server.max_body_bytes;
  ac.limits.max_header_bytes = config.server.max_header_bytes * 2;  // the server enforces first
  ac.log_level = s->level;
  ac.observer = std::make_shared<metrics_observer>(s->metrics);
  if (config.rate_limit.enabled) {
    if (config.rate_limit.redis_url.empty()) {
      ac.rate_limits.store = make_memory_counter_store();
    } else {
      // load_config checked it; a configuration built in code is checked here.
      auto address = redis::parse_redis_url(config.rate_limit.redis_url, "rate_limit.redis_url");
      if (!address) return address.error();
      ac.rate_limits.store = redis::make_counter_store({.address = std::move(*address)});
    }
    ac.rate_limits.posts_per_minute = config.rate_limit.posts_per_minute;
    ac.rate_limits.free_failures = config.rate_limit.free_failures;
    ac.rate_limits.max_backoff = config.rate_limit.max_backoff;
  }
  state* raw = s.get();
  ac.logger = [raw](log_level l, std::string_view code, std::string_view message) {
    raw->log(l, code, message);
  };
  auto engine = authpp::auth::create(std::move(ac));
  if (!engine) return engine.error();
  s->engine = std::move(*engine);
  s->metrics.set_base_path(config.auth.base_path);

  s->config = config;  // before the threads start: handlers read it
  s->forward_path = forward_auth_path(config.auth.base_path);

  server_hooks hooks;
  const bool access_log = config.log.access_log;
  hooks.on_exchange = [raw, access_log](const exchange& e) {
    raw->metrics.record(e);
    if (access_log) {
      const std::string line = access_log_line(e, std::chrono::system_clock::now());
      std::lock_guard lock(raw->log_mutex);
      std::cout << line << '\n' << std::flush;
    }
  };
  hooks.on_connections = [raw](long long open) { raw->metrics.connections(open); };
  hooks.on_accept_paused = [raw](std::chrono::milliseconds) { raw->metrics.accept_paused(); };
  hooks.on_error = [raw](std::string_view message) {
    raw->log(log_level::error, "ServerError", message);
  };
  hooks.on_warning = [raw](std::string_view message) {
    raw->log(log_level::warn, "ServerWarning", message);
  };
  auto server = http_server::start(
      config.server,
      [raw](http::request req, responder respond) {
        raw->serve(std::move(req), std::move(respond));
      },
      hooks);
  if (!server) return server.error();
  s->server = std::move(*server);

  const bool check = !s->engine->oauth_status().empty();
  const bool purge = config.storage.purge_interval.count() > 0;
  if (check) boost::asio::co_spawn(s->background_loop, s->check_providers(), boost::asio::detached);
  if (purge) boost::asio::co_spawn(s->background_loop, s->purge_expired(), boost::asio::detached);
  if (check || purge) s->background = std::thread([raw] { raw->background_loop.run(); });

  if (config.metrics.listen) {
    // A listener of its own for /metrics (and /healthz), e.g. on a private interface.
    server_options mo;
    auto hp = parse_listen(*config.metrics.listen);
    if (!hp) return auth_error{errc::invalid_config, "metrics.listen: " + hp.error().detail};
    mo.host = hp->first;
    mo.port = hp->second;
    mo.threads = 1;
    mo.max_connections = 64;
    mo.worker_threads = 1;
    server_hooks metrics_hooks;
    metrics_hooks.on_error = hooks.on_error;
    auto ms = http_server::start(
        mo,
        [raw](http::request req, responder respond) {
          if (raw->is_health(req)) {
            return raw->answer_later(raw->health(), std::move(respond), "health check");
          }
          const std::string_view path =
              std::string_view(req.target).substr(0, req.target.find('?'));
          respond(path == "/metrics" ? raw->metrics_page(req)
                                     : json_response(404, "\"Not found.\""));
        },
        metrics_hooks);
    if (!ms) return auth_error{errc::invalid_config, "metrics.listen: " + ms.error().detail};
    s->metrics_server = std::move(*ms);
    out << "metrics on http://" << mo.host << ":" << s->metrics_server->port() << "/metrics\n";
  }

  const std::string scheme = config.server.tls ? "https" : "http";
  const std::string base = config.auth.url.value_or(scheme + "://" + config.server.host + ":" +
                                                    std::to_string(s->server->port()));
  out << "authpp listening on " << scheme << "://" << config.server.host << ":" << s->server->port()
      << "\n  sign in: " << base << config.auth.base_path << "/signin\n"
      << std::flush;
  return std::unique_ptr<app>(new app(std::move(s)));
}

app::app(std::unique_ptr<state> s) : state_(std::move(s)) {}
app::~app() = default;
std::uint16_t app::port() const { return state_->server->port(); }
void app::stop() {
  state_->server->stop();
  if (state_->metrics_server) state_->metrics_server->stop();
}
void app::wait() { state_->server->wait(); }

}  // namespace authpp::server
