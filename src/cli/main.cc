#include <cstdio>
int main() { std::puts("qforge: CLI under construction"); return 0; }
