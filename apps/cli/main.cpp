// The memlapse binary: a thin main over the CLI library.
#include <iostream>
#include <string>
#include <vector>

#include "cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  return memlapse::cli::run_cli(args, std::cout, std::cerr);
}
