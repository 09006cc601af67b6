#ifndef FLOW_CCURL_H
#define FLOW_CCURL_H

// libcurl for Swift, loaded on first use. flow does not link libcurl: libcurl and the thirty
// libraries it needs (TLS, Kerberos, LDAP, IDN, ...) cost about 10 ms at every start of the
// process, and most commands (`--version`, `validate`, a run of shell steps) never make a
// request. `flow_curl_load` opens libcurl.so.4 with dlopen once; every other function here
// may be called only after it returned NULL.
//
// curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt are variadic, which Swift cannot
// call, so each argument type gets a typed wrapper.

#include <curl/curl.h>

/// Loads libcurl once per process (thread-safe). NULL when it is ready, else why it is not.
const char *flow_curl_load(void);

CURLcode flow_curl_global_init(long flags);
curl_version_info_data *flow_curl_version(void);
CURL *flow_curl_easy_init(void);
void flow_curl_easy_cleanup(CURL *handle);
const char *flow_curl_easy_strerror(CURLcode code);
struct curl_slist *flow_curl_slist_append(struct curl_slist *list, const char *value);
void flow_curl_slist_free_all(struct curl_slist *list);

CURLM *flow_curl_multi_init(void);
CURLMcode flow_curl_multi_add_handle(CURLM *multi, CURL *handle);
CURLMcode flow_curl_multi_remove_handle(CURLM *multi, CURL *handle);
CURLMcode flow_curl_multi_perform(CURLM *multi, int *running);
CURLMcode flow_curl_multi_poll(CURLM *multi, struct curl_waitfd *extra, unsigned int count, int timeout, int *ready);
CURLMcode flow_curl_multi_wakeup(CURLM *multi);
CURLMsg *flow_curl_multi_info_read(CURLM *multi, int *left);
const char *flow_curl_multi_strerror(CURLMcode code);
CURLMcode flow_curl_multi_set_long(CURLM *multi, CURLMoption option, long value);

typedef size_t (*flow_curl_data_callback)(char *buffer, size_t size, size_t count, void *context);
typedef int (*flow_curl_seek_callback)(void *context, curl_off_t offset, int origin);
typedef curl_socket_t (*flow_curl_opensocket_callback)(void *context, curlsocktype purpose, struct curl_sockaddr *address);

CURLcode flow_curl_set_long(CURL *handle, CURLoption option, long value);
CURLcode flow_curl_set_offset(CURL *handle, CURLoption option, curl_off_t value);
/// Strings are copied by libcurl (all options used here since 7.17), except POSTFIELDS.
CURLcode flow_curl_set_string(CURL *handle, CURLoption option, const char *value);
CURLcode flow_curl_set_pointer(CURL *handle, CURLoption option, void *value);
CURLcode flow_curl_set_list(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode flow_curl_set_data_callback(CURL *handle, CURLoption option, flow_curl_data_callback value);
CURLcode flow_curl_set_seek_callback(CURL *handle, flow_curl_seek_callback value);
CURLcode flow_curl_set_opensocket_callback(CURL *handle, flow_curl_opensocket_callback value);

CURLcode flow_curl_get_long(CURL *handle, CURLINFO info, long *value);
CURLcode flow_curl_get_string(CURL *handle, CURLINFO info, char **value);
CURLcode flow_curl_get_pointer(CURL *handle, CURLINFO info, void **value);
CURLcode flow_curl_get_offset(CURL *handle, CURLINFO info, curl_off_t *value);

#endif
