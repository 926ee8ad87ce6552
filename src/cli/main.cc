#include "cli/app.h"

int main(int argc, char** argv) { return mnas::cli::run(argc, argv); }
