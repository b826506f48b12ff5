// Axon's stand-in for ankerl/unordered_dense.h (github.com/martinus/unordered_dense), which mediasoup 3.21+
// fetches from GitHub at build time and which neither Debian 12 nor the npm registry carries. The worker
// only uses map, set and hash with the standard containers' interface, so these are the standard
// containers under ankerl's names: the same behaviour, with std::unordered_map's (node-based) speed.
#pragma once
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <unordered_set>

namespace ankerl::unordered_dense {

template <class T, class Enable = void>
struct hash {
	std::uint64_t operator()(const T& value) const noexcept(noexcept(std::hash<T>{}(value)))
	{
		return static_cast<std::uint64_t>(std::hash<T>{}(value));
	}
};

template <class Key, class T, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>,
          class Allocator = std::allocator<std::pair<const Key, T>>>
using map = std::unordered_map<Key, T, Hash, KeyEqual, Allocator>;

template <class Key, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>,
          class Allocator = std::allocator<Key>>
using set = std::unordered_set<Key, Hash, KeyEqual, Allocator>;

} // namespace ankerl::unordered_dense
