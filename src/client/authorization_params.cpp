#include <authpp/client/authorization_params.hpp>

#include <algorithm>
#include <cstdint>

namespace authpp::client {
namespace {

// ECMA-262 §6.1.7: an array index is a canonical numeric string below 2^32 - 1.
std::optional<std::uint32_t> array_index(std::string_view key) {
  if (key.empty() || key.size() > 10 || (key.size() > 1 && key.front() == '0')) {
    return std::nullopt;
  }
  std::uint64_t n = 0;
  for (const char c : key) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (n >= 4294967295ULL) return std::nullopt;
  return static_cast<std::uint32_t>(n);
}

}  // namespace

std::vector<std::string> js_object_key_order(const std::vector<std::string>& keys) {
  std::vector<std::pair<std::uint32_t, std::string>> indices;
  std::vector<std::string> others;
  for (const std::string& k : keys) {
    if (auto i = array_index(k)) {
      indices.emplace_back(*i, k);
    } else {
      others.push_back(k);
    }
  }
  std::sort(indices.begin(), indices.end());
  std::vector<std::string> out;
  out.reserve(keys.size());
  for (auto& [i, k] : indices) out.push_back(std::move(k));
  for (auto& k : others) out.push_back(std::move(k));
  return out;
}

authorization_params::authorization_params(std::string_view query) {
  auto parsed = http::url_search_params::parse(query);
  if (parsed) {
    params_ = std::move(*parsed);
  } else {
    error_ = parsed.error();
  }
}

authorization_params::authorization_params(std::vector<std::pair<std::string, std::string>> pairs) {
  for (auto& [k, v] : pairs) params_.append(std::move(k), std::move(v));
}

authorization_params::authorization_params(
    std::initializer_list<std::pair<std::string, std::string>> pairs) {
  for (const auto& [k, v] : pairs) params_.append(k, v);
}

authorization_params::authorization_params(const std::map<std::string, std::string>& record) {
  std::vector<std::string> keys;
  keys.reserve(record.size());
  for (const auto& [k, v] : record) keys.push_back(k);
  for (const std::string& k : js_object_key_order(keys)) params_.append(k, record.at(k));
}

authorization_params::authorization_params(http::url_search_params params)
    : params_(std::move(params)) {}

}  // namespace authpp::client
