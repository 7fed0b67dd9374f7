#pragma once

#include <nlohmann/json.hpp>

namespace authpp {

// json is the JSON value authpp uses for claims, sessions and provider data. It keeps object
// members in insertion order, as JavaScript does, so that re-encoded claims match Auth.js's bytes.
using json = nlohmann::ordered_json;

}  // namespace authpp
