// The HTTP API's own description: schemas/openapi.yaml (OpenAPI 3.1), converted to JSON when the
// hub is built (cmake/openapi_json.py) and held in the binary, served at GET /api/v1/openapi.json.
#pragma once

#include <string_view>

namespace ijro::api {

// The description as compact JSON text (UTF-8).
std::string_view openApiJson();

}  // namespace ijro::api
