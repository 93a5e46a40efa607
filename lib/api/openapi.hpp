#pragma once
// The OpenAPI 3 description of the API (lib/api/openapi.json), compiled in.

#include <string_view>

namespace rosterd::api {

std::string_view openapi_document();

} // namespace rosterd::api
