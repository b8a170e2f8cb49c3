/* Reproduces the decQuadAdd stack over-read (see ../README.md):
 *   cd third_party/decnumber-sys/decnumber &&
 *   gcc -g -fsanitize=address -DDECLITEND=1 ../asan/overread.c \
 *       decQuad.c decContext.c -I. -o /tmp/overread && /tmp/overread
 * prints 1000000000000000000000000000000001 with the patch; without it
 * AddressSanitizer reports stack-buffer-overflow in decQuadAdd. */
#include "decQuad.h"
#include <stdio.h>

int main(void) {
  decContext set;
  decQuad lhs, rhs, sum;
  char text[DECQUAD_String];
  decContextDefault(&set, DEC_INIT_DECQUAD);
  decQuadFromString(&lhs, "1E+33", &set);
  decQuadFromString(&rhs, "1", &set);
  decQuadAdd(&sum, &lhs, &rhs, &set);
  decQuadToString(&sum, text);
  printf("%s\n", text);
  return 0;
}
