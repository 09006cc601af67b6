#ifndef FLOW_CCURL_SHIM_H
#define FLOW_CCURL_SHIM_H

// libcurl for Swift. curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt are variadic,
// which Swift cannot call, so each argument type gets a typed inline wrapper here.

#include <curl/curl.h>

typedef size_t (*flow_curl_data_callback)(char *buffer, size_t size, size_t count, void *context);
typedef int (*flow_curl_seek_callback)(void *context, curl_off_t offset, int origin);

static inline CURLcode flow_curl_set_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode flow_curl_set_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/// Strings are copied by libcurl (all options used here since 7.17), except POSTFIELDS.
static inline CURLcode flow_curl_set_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode flow_curl_set_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode flow_curl_set_list(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode flow_curl_set_data_callback(CURL *handle, CURLoption option, flow_curl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode flow_curl_set_seek_callback(CURL *handle, flow_curl_seek_callback value) {
    return curl_easy_setopt(handle, CURLOPT_SEEKFUNCTION, value);
}

typedef curl_socket_t (*flow_curl_opensocket_callback)(void *context, curlsocktype purpose, struct curl_sockaddr *address);

static inline CURLcode flow_curl_set_opensocket_callback(CURL *handle, flow_curl_opensocket_callback value) {
    return curl_easy_setopt(handle, CURLOPT_OPENSOCKETFUNCTION, value);
}

static inline CURLcode flow_curl_get_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode flow_curl_get_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode flow_curl_get_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode flow_curl_get_offset(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLMcode flow_curl_multi_set_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

/// CURLVERSION_NOW is a macro Swift cannot import.
static inline curl_version_info_data *flow_curl_version(void) {
    return curl_version_info(CURLVERSION_NOW);
}

#endif
