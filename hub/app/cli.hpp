// The ijro-hub command line: serve, validate.
#pragma once

namespace ijro::app {

int main(int argc, char** argv);

}  // namespace ijro::app
