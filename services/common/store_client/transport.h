// The HTTP/2 settings StoreClient channels and the mailstore server share,
// beside the keepalive contract (keepalive.h).
//
// Why: message contents travel in ReadMessages responses of up to 4 MiB.
// With gRPC's defaults (16 KiB frames, a window that grows slowly) each one
// is cut into hundreds of frames and window updates; with these, a few
// writes move it (FETCH BODY[] ~20% faster on the bench, bench/README.md).
#ifndef KURIER_SERVICES_COMMON_STORE_CLIENT_TRANSPORT_H_
#define KURIER_SERVICES_COMMON_STORE_CLIENT_TRANSPORT_H_

namespace kurier::store_client {

// GRPC_ARG_HTTP2_MAX_FRAME_SIZE: the largest frame either side accepts.
inline constexpr int kHttp2MaxFrameSize = 1 << 20;
// GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES: how far a receiver lets a stream
// run ahead of what it has read.
inline constexpr int kHttp2StreamWindow = 8 << 20;

}  // namespace kurier::store_client

#endif  // KURIER_SERVICES_COMMON_STORE_CLIENT_TRANSPORT_H_
