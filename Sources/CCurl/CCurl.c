#include "CCurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

// The libcurl functions flow calls, found with dlsym in the library dlopen found. The names
// are libcurl's own, so the types come from <curl/curl.h>.
static struct {
    CURLcode (*global_init)(long);
    curl_version_info_data *(*version_info)(CURLversion);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_add_handle)(CURLM *, CURL *);
    CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
    CURLMcode (*multi_perform)(CURLM *, int *);
    CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned int, int, int *);
    CURLMcode (*multi_wakeup)(CURLM *);
    CURLMsg *(*multi_info_read)(CURLM *, int *);
    const char *(*multi_strerror)(CURLMcode);
    CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
} curl;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *problem;
static char problemText[512];

#define FIND(field, name)                                                                     \
    do {                                                                                      \
        *(void **)(&curl.field) = dlsym(library, name);                                      \
        if (!curl.field) {                                                                    \
            snprintf(problemText, sizeof problemText,                                         \
                     "libcurl (%s) lacks %s; flow needs libcurl 7.68 or newer (apt install libcurl4)", \
                     path, name);                                                             \
            problem = problemText;                                                            \
            return;                                                                           \
        }                                                                                     \
    } while (0)

static void load(void) {
    // The soname first (what the runtime package installs), then the development link.
    const char *path = "libcurl.so.4";
    void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        path = "libcurl.so";
        library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    }
    if (!library) {
        const char *reason = dlerror();
        snprintf(problemText, sizeof problemText,
                 "flow could not load libcurl, which it needs for HTTP: %s (apt install libcurl4)",
                 reason ? reason : "libcurl.so.4 not found");
        problem = problemText;
        return;
    }
    FIND(global_init, "curl_global_init");
    FIND(version_info, "curl_version_info");
    FIND(easy_init, "curl_easy_init");
    FIND(easy_cleanup, "curl_easy_cleanup");
    FIND(easy_strerror, "curl_easy_strerror");
    FIND(easy_setopt, "curl_easy_setopt");
    FIND(easy_getinfo, "curl_easy_getinfo");
    FIND(slist_append, "curl_slist_append");
    FIND(slist_free_all, "curl_slist_free_all");
    FIND(multi_init, "curl_multi_init");
    FIND(multi_add_handle, "curl_multi_add_handle");
    FIND(multi_remove_handle, "curl_multi_remove_handle");
    FIND(multi_perform, "curl_multi_perform");
    FIND(multi_poll, "curl_multi_poll");
    FIND(multi_wakeup, "curl_multi_wakeup");
    FIND(multi_info_read, "curl_multi_info_read");
    FIND(multi_strerror, "curl_multi_strerror");
    FIND(multi_setopt, "curl_multi_setopt");
}

const char *flow_curl_load(void) {
    pthread_once(&once, load);
    return problem;
}

CURLcode flow_curl_global_init(long flags) { return curl.global_init(flags); }
curl_version_info_data *flow_curl_version(void) { return curl.version_info(CURLVERSION_NOW); }
CURL *flow_curl_easy_init(void) { return curl.easy_init(); }
void flow_curl_easy_cleanup(CURL *handle) { curl.easy_cleanup(handle); }
const char *flow_curl_easy_strerror(CURLcode code) { return curl.easy_strerror(code); }
struct curl_slist *flow_curl_slist_append(struct curl_slist *list, const char *value) {
    return curl.slist_append(list, value);
}
void flow_curl_slist_free_all(struct curl_slist *list) { curl.slist_free_all(list); }

CURLM *flow_curl_multi_init(void) { return curl.multi_init(); }
CURLMcode flow_curl_multi_add_handle(CURLM *multi, CURL *handle) { return curl.multi_add_handle(multi, handle); }
CURLMcode flow_curl_multi_remove_handle(CURLM *multi, CURL *handle) { return curl.multi_remove_handle(multi, handle); }
CURLMcode flow_curl_multi_perform(CURLM *multi, int *running) { return curl.multi_perform(multi, running); }
CURLMcode flow_curl_multi_poll(CURLM *multi, struct curl_waitfd *extra, unsigned int count, int timeout, int *ready) {
    return curl.multi_poll(multi, extra, count, timeout, ready);
}
CURLMcode flow_curl_multi_wakeup(CURLM *multi) { return curl.multi_wakeup(multi); }
CURLMsg *flow_curl_multi_info_read(CURLM *multi, int *left) { return curl.multi_info_read(multi, left); }
const char *flow_curl_multi_strerror(CURLMcode code) { return curl.multi_strerror(code); }
CURLMcode flow_curl_multi_set_long(CURLM *multi, CURLMoption option, long value) {
    return curl.multi_setopt(multi, option, value);
}

CURLcode flow_curl_set_long(CURL *handle, CURLoption option, long value) { return curl.easy_setopt(handle, option, value); }
CURLcode flow_curl_set_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl.easy_setopt(handle, option, value);
}
CURLcode flow_curl_set_string(CURL *handle, CURLoption option, const char *value) {
    return curl.easy_setopt(handle, option, value);
}
CURLcode flow_curl_set_pointer(CURL *handle, CURLoption option, void *value) { return curl.easy_setopt(handle, option, value); }
CURLcode flow_curl_set_list(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl.easy_setopt(handle, option, value);
}
CURLcode flow_curl_set_data_callback(CURL *handle, CURLoption option, flow_curl_data_callback value) {
    return curl.easy_setopt(handle, option, value);
}
CURLcode flow_curl_set_seek_callback(CURL *handle, flow_curl_seek_callback value) {
    return curl.easy_setopt(handle, CURLOPT_SEEKFUNCTION, value);
}
CURLcode flow_curl_set_opensocket_callback(CURL *handle, flow_curl_opensocket_callback value) {
    return curl.easy_setopt(handle, CURLOPT_OPENSOCKETFUNCTION, value);
}

CURLcode flow_curl_get_long(CURL *handle, CURLINFO info, long *value) { return curl.easy_getinfo(handle, info, value); }
CURLcode flow_curl_get_string(CURL *handle, CURLINFO info, char **value) { return curl.easy_getinfo(handle, info, value); }
CURLcode flow_curl_get_pointer(CURL *handle, CURLINFO info, void **value) { return curl.easy_getinfo(handle, info, value); }
CURLcode flow_curl_get_offset(CURL *handle, CURLINFO info, curl_off_t *value) { return curl.easy_getinfo(handle, info, value); }
