/* libFuzzer harness for config.json handling: the input is parsed as JSON
   and, when it is an object, read as a checkpoint configuration
   (minimax__parse_config) and quantisation description (minimax__parse_quant,
   with no hf_quant_config.json), then, when accepted, fed to
   minimax_memory_estimate. Build and run with tests/fuzz/run.sh. */
#define MINIMAX_IMPLEMENTATION
#include "minimax_nvfp4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    minimax__json_doc d;
    minimax_config c;
    minimax_memory_usage u;
    char *text = (char *)malloc(size ? size : 1);
    if (!text) return 0;
    memcpy(text, data, size);
    if (minimax__json_parse(text, size, "config.json", &d) == MINIMAX_OK) {
        if (d.root->type == MINIMAX__JSON_OBJECT && minimax__parse_config("config.json", d.root, &c) == MINIMAX_OK) {
            minimax_memory_desc desc;
            (void)minimax__parse_quant("/nonexistent-fuzz-dir", "config.json", d.root);
            memset(&desc, 0, sizeof desc);
            desc.tp = 1 + (int)(size % 8);
            desc.max_ctx = (int)(size * 977u % 2000000u);
            (void)minimax_memory_estimate(&c, &desc, &u);
        }
        minimax__json_free(&d);
    }
    free(text);
    return 0;
}
