// The error answer of the JSON-only resources (evidence, control acts): {"error": {"status",
// "message"}} whatever the client sent, since their requests are files or JSON acts, not reports.
#pragma once

#include <string>

#include "hub/http/server.hpp"

namespace ijro::api {

http::Response jsonProblem(int status, const std::string& message);

}  // namespace ijro::api
