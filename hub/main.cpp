#include "hub/app/cli.hpp"

int main(int argc, char** argv) { return ijro::app::main(argc, argv); }
