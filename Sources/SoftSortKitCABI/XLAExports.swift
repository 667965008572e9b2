// The XLA FFI handlers of softsortkit.h's "XLA FFI handlers" section: each is an
// `XLA_FFI_Handler` (XLA_FFI_Error *(XLA_FFI_CallFrame *)) for jax.ffi.register_ffi_target,
// serving float32 and float64 by the scores' element type (XLAFrame.swift, XLACalls.swift).

@_cdecl("softsortkit_xla_matrices")
public func softsortkit_xla_matrices(_ frame: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    XLAFrame.handle(frame) { try XLACalls.forward(.matrices, $0) }
}

@_cdecl("softsortkit_xla_matrices_backward")
public func softsortkit_xla_matrices_backward(_ frame: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    XLAFrame.handle(frame) { try XLACalls.backward(.matrices, $0) }
}

@_cdecl("softsortkit_xla_sorted_values")
public func softsortkit_xla_sorted_values(_ frame: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    XLAFrame.handle(frame) { try XLACalls.forward(.sortedValues, $0) }
}

@_cdecl("softsortkit_xla_sorted_values_backward")
public func softsortkit_xla_sorted_values_backward(_ frame: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    XLAFrame.handle(frame) { try XLACalls.backward(.sortedValues, $0) }
}

@_cdecl("softsortkit_xla_ranks")
public func softsortkit_xla_ranks(_ frame: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    XLAFrame.handle(frame) { try XLACalls.forward(.ranks, $0) }
}

@_cdecl("softsortkit_xla_ranks_backward")
public func softsortkit_xla_ranks_backward(_ frame: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    XLAFrame.handle(frame) { try XLACalls.backward(.ranks, $0) }
}

@_cdecl("softsortkit_xla_apply")
public func softsortkit_xla_apply(_ frame: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    XLAFrame.handle(frame) { try XLACalls.forward(.apply, $0) }
}

@_cdecl("softsortkit_xla_apply_backward")
public func softsortkit_xla_apply_backward(_ frame: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    XLAFrame.handle(frame) { try XLACalls.backward(.apply, $0) }
}

@_cdecl("softsortkit_xla_apply_transposed")
public func softsortkit_xla_apply_transposed(_ frame: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    XLAFrame.handle(frame) { try XLACalls.forward(.applyTransposed, $0) }
}

@_cdecl("softsortkit_xla_apply_transposed_backward")
public func softsortkit_xla_apply_transposed_backward(_ frame: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    XLAFrame.handle(frame) { try XLACalls.backward(.applyTransposed, $0) }
}

@_cdecl("softsortkit_xla_top_k")
public func softsortkit_xla_top_k(_ frame: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    XLAFrame.handle(frame) { try XLACalls.forward(.topK, $0) }
}

@_cdecl("softsortkit_xla_top_k_backward")
public func softsortkit_xla_top_k_backward(_ frame: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    XLAFrame.handle(frame) { try XLACalls.backward(.topK, $0) }
}

@_cdecl("softsortkit_xla_quantiles")
public func softsortkit_xla_quantiles(_ frame: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    XLAFrame.handle(frame) { try XLACalls.forward(.quantiles, $0) }
}

@_cdecl("softsortkit_xla_quantiles_backward")
public func softsortkit_xla_quantiles_backward(_ frame: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    XLAFrame.handle(frame) { try XLACalls.backward(.quantiles, $0) }
}

@_cdecl("softsortkit_xla_cross_entropy")
public func softsortkit_xla_cross_entropy(_ frame: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    XLAFrame.handle(frame) { try XLACalls.loss(.crossEntropy, $0) }
}

@_cdecl("softsortkit_xla_nearest_neighbor_loss")
public func softsortkit_xla_nearest_neighbor_loss(_ frame: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    XLAFrame.handle(frame) { try XLACalls.loss(.nearestNeighbors, $0) }
}
