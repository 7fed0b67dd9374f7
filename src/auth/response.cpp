#include <authpp/http/form.hpp>

#include <algorithm>
#include <chrono>

#include "engine.hpp"

namespace authpp::detail {
namespace {

constexpr std::string_view config_message =
    "There was a problem with the server configuration. Check the server logs for more "
    "information.";

bool is_page_action(const std::optional<route>& r) {
  return r && (r->action == action::signin || r->action == action::signout ||
               r->action == action::error || r->action == action::verify_request);
}

}  // namespace

std::string json_text(const json& value) {
  if (auto text = dump_json(value)) return std::move(*text);
  // A string that is not UTF-8 (from a callback): U+FFFD for the bad bytes, as the library does.
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

outcome json_outcome(const json& value, int status) {
  outcome out;
  out.status = status;
  out.headers.add("Content-Type", "application/json");
  out.body = json_text(value);
  return out;
}

void no_store(outcome& out) {
  out.headers.add("Cache-Control", "private, no-cache, no-store");
  out.headers.add("Expires", "0");
  out.headers.add("Pragma", "no-cache");
}

std::string iso_time(clock::time_point t) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(t);
  const auto day = floor<days>(ms);
  const year_month_day ymd{day};
  const hh_mm_ss hms{ms - day};
  // Date.prototype.toISOString for years 0–9999, without printf (a GET /session hot spot).
  std::string out = "0000-00-00T00:00:00.000Z";
  const auto put = [&out](std::size_t end, long long v) {
    for (std::size_t i = end; v > 0; v /= 10) out[--i] = static_cast<char>('0' + v % 10);
  };
  put(4, std::clamp(static_cast<int>(ymd.year()), 0, 9999));
  put(7, static_cast<unsigned>(ymd.month()));
  put(10, static_cast<unsigned>(ymd.day()));
  put(13, hms.hours().count());
  put(16, hms.minutes().count());
  put(19, hms.seconds().count());
  put(23, hms.subseconds().count());
  return out;
}

outcome fail(const request_context& ctx, const engine_error& error) {
  ctx.engine.log(log_level::error, name(error.type), error.detail);
  if (ctx.route.action == action::session) {
    // POST /session reports every failure as 400 null (the client's update() resolves null).
    return json_outcome(nullptr, 400);
  }
  outcome out;
  out.redirect = error_url(ctx, error);
  out.failed = true;
  return out;
}

std::string error_url(const request_context& ctx, const engine_error& error) {
  // Auth.js shows the browser the client-safe types; every other failure is "Configuration".
  const authjs_error shown = client_safe(error.type) ? error.type : authjs_error::configuration;
  const auto& pages = ctx.config().pages;
  std::string page;
  if (sign_in_kind(error.type)) {
    page = pages.sign_in.value_or(ctx.config().base_path + "/signin");
  } else {
    page = pages.error.value_or(ctx.config().base_path + "/error");
  }
  http::url_search_params params;
  params.append("error", std::string(name(shown)));
  if (error.type == authjs_error::credentials_signin) params.append("code", error.code);
  return ctx.origin + page + "?" + params.to_string();
}

http::response configuration_failure(const engine_state& engine, const http::request& request,
                                     const std::optional<route>& r, std::string_view origin,
                                     const engine_error& error) {
  engine.log(log_level::error, name(error.type), error.detail);
  if (is_page_action(r) && request.method == "GET") {
    if (engine.config.pages.error && !origin.empty()) {
      outcome out;
      out.redirect = std::string(origin) + *engine.config.pages.error + "?error=Configuration";
      out.failed = true;
      return to_response(request, std::move(out));
    }
    pages::error_page page;
    page.error = "Configuration";
    page.signin_url = engine.config.base_path + "/signin";
    page.home_url = origin.empty() ? "/" : std::string(origin);
    page.theme = engine.config.theme;
    return to_response(request, page_outcome(pages::render_error(page)));
  }
  return to_response(request, json_outcome(json{{"message", config_message}}, 500));
}

http::response to_response(const http::request& request, outcome out) {
  http::response res;
  res.status = out.status;
  res.headers = std::move(out.headers);
  res.body = std::move(out.body);
  if (out.retry_after) res.headers.set("Retry-After", std::to_string(out.retry_after->count()));
  if (out.redirect) {
    if (request.headers.contains("X-Auth-Return-Redirect")) {
      // What next-auth/react sends: the redirect becomes 200 {"url"}; Auth.js keeps every other
      // header, Location included, on success. A rate-limited one is 429, so that the client's
      // SignInResponse says so in `status` and `ok` as well as in `code`.
      res.status = out.retry_after ? 429 : 200;
      res.headers.set("Content-Type", "application/json");
      if (!out.failed) res.headers.set("Location", *out.redirect);
      res.body = json_text(json{{"url", *out.redirect}});
    } else {
      res.status = 302;
      res.headers.set("Location", *out.redirect);
      res.body.clear();
    }
  }
  if (!out.failed) {
    for (const auto& c : out.cookies) res.headers.add("Set-Cookie", http::serialize(c));
  }
  return res;
}

outcome page_outcome(const pages::rendered& page) {
  outcome out;
  out.status = page.status;
  out.headers.add("Content-Type", "text/html; charset=utf-8");
  out.headers.add("Content-Security-Policy", page.content_security_policy);
  out.headers.add("X-Content-Type-Options", "nosniff");
  out.headers.add("Referrer-Policy", "no-referrer");
  out.headers.add("X-Frame-Options", "DENY");  // frame-ancestors 'none' for older browsers
  // Pages carry CSRF tokens: never cache them.
  out.headers.add("Cache-Control", "private, no-cache, no-store");
  out.body = page.html;
  return out;
}

}  // namespace authpp::detail
