{
  "targets": [
    {
      "target_name": "pfwork_native",
      "sources": [
        "cpp/addon.cc",
        "cpp/errors.cc",
        "cpp/locate.cc",
        "cpp/cbpf_fanout.cc",
        "cpp/frag_cache.cc",
        "cpp/bpf_compile.cc",
        "cpp/batch.cc",
        "cpp/backend_factory.cc",
        "cpp/pcap_file.cc",
        "cpp/pcap_map.cc",
        "cpp/cluster_index.cc",
        "cpp/cluster_index_exports.cc",
        "cpp/process_exports.cc",
        "cpp/afpacket_ring.cc",
        "cpp/afpacket_socket.cc",
        "cpp/afpacket_filter.cc",
        "cpp/afpacket_exports.cc",
        "cpp/fanout_group.cc",
        "cpp/pfring_ring.cc",
        "cpp/pfring_loader.cc",
        "cpp/pfring_exports.cc",
        "cpp/flow_table.cc",
        "cpp/huge_buffer.cc",
        "cpp/flow_key.cc",
        "cpp/flow_frags.cc",
        "cpp/flow_pack.cc",
        "cpp/flow_wrap.cc",
        "cpp/flow_ndjson.cc",
        "cpp/flow_ndjson_exports.cc",
        "cpp/js_number.cc",
        "cpp/tunnel.cc",
        "cpp/ring_wrap.cc",
        "cpp/exports_test.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
      "libraries": ["-lpcap", "-ldl"]
    }
  ]
}
