// Bytes each WebSocket has waiting to be written (its bufferedAmount), shared by the JS thread
// (adds when send() posts a message, reads for bufferedAmount) and the I/O thread (creates the
// counter when a session opens, subtracts when a frame's write completes, drops it at close).
// Thread-safe; pure (no uv.h, no napi.h).
#ifndef NODE_HTTPUV_WS_WS_COUNTERS_H_
#define NODE_HTTPUV_WS_WS_COUNTERS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "transport/transport.h"

namespace httpuv {

// A WebSocket's counter is the transport's write counter: the transport takes a frame's bytes
// off it once the frame is written (Transport::QueueFrame).
using WsCounter = WriteCounter;

class WsCounters {
 public:
  // Runs on the I/O thread.
  WsCounter Open(uint64_t id) {
    auto c = std::make_shared<std::atomic<int64_t>>(0);
    std::lock_guard<std::mutex> lock(mutex_);
    map_[id] = c;
    return c;
  }
  void Close(uint64_t id) {
    std::lock_guard<std::mutex> lock(mutex_);
    map_.erase(id);
  }
  // Runs on any thread; null when the WebSocket is gone.
  WsCounter Find(uint64_t id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = map_.find(id);
    return it == map_.end() ? nullptr : it->second;
  }
  void Clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    map_.clear();
  }

 private:
  std::mutex mutex_;
  std::unordered_map<uint64_t, WsCounter> map_;
};

}  // namespace httpuv

#endif  // NODE_HTTPUV_WS_WS_COUNTERS_H_
