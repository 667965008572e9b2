/// One call of an XLA FFI handler, read from the call frame that XLA passes:
/// `XLA_FFI_Error *handler(XLA_FFI_CallFrame *frame)` of XLA's stable C API
/// (xla/ffi/api/c_api.h, shipped in jaxlib; API version 0.x). The library is
/// built without XLA's headers, so the frame is read at the C offsets of
/// that header on a 64-bit target (pointers, `size_t` and `int64_t` of 8
/// bytes, enums of 4), and every struct's `struct_size` is checked against
/// the size those offsets need before a field past it is read: a runtime
/// with smaller structs gets an error, never a wild read. XLA only ever
/// grows these structs at their end.
///
///     XLA_FFI_CallFrame    struct_size 0, extension_start 8, api 16, ctx 24, stage 32,
///                          args 40, rets 80, attrs 120 (168 bytes up to attrs' end)
///     XLA_FFI_Args/_Rets   struct_size 0, extension_start 8, size 16, types 24, args/rets 32
///     XLA_FFI_Attrs        struct_size 0, extension_start 8, size 16, types 24, names 32, attrs 40
///     XLA_FFI_Buffer       struct_size 0, extension_start 8, dtype 16, data 24, rank 32, dims 40
///     XLA_FFI_Scalar       dtype 0, value 8;  XLA_FFI_Array  dtype 0, size 8, data 16
///     XLA_FFI_ByteSpan     ptr 0, len 8
///     XLA_FFI_Api          struct_size 0, extension_start 8, api_version 16 (24 bytes),
///                          internal_api 40, XLA_FFI_Error_Create 48
///     XLA_FFI_Extension_Base  struct_size 0, type 8, next 16
///     XLA_FFI_Metadata_Extension  extension_base 0 (24 bytes), metadata 24
///     XLA_FFI_Metadata     struct_size 0, api_version 8 (24 bytes), traits 32
struct XLAFrame {
    /// `XLA_FFI_DataType` codes the handlers read.
    enum DataType {
        static let s32: Int32 = 4, s64: Int32 = 5, f32: Int32 = 11, f64: Int32 = 12
    }

    /// An argument or result buffer (`XLA_FFI_Buffer`).
    struct Buffer {
        let type: Int32
        let data: UnsafeMutableRawPointer?
        let dimensions: [Int64]

        /// The element count, the product of the dimensions.
        var elements: Int { dimensions.reduce(1) { $0 * Int($1) } }

        func pointer<T>(_: T.Type) -> UnsafeMutablePointer<T>? { data?.assumingMemoryBound(to: T.self) }
    }

    /// An attribute (`XLA_FFI_AttrType`): a scalar or array of an
    /// `XLA_FFI_DataType`, or a string.
    struct Attribute {
        let kind: Int32
        let value: UnsafeRawPointer
    }

    let arguments: [Buffer]
    let results: [Buffer]
    private let attributes: [String: Attribute]

    /// The struct sizes (offset of the last field read plus its size) of c_api.h.
    private enum Size {
        static let callFrame = 168, arguments = 40, attributes = 48, buffer = 48, api = 56
        static let metadataExtension = 32, metadata = 36, version = 24
    }

    /// The frame at `frame`, its buffers and attributes decoded.
    init(_ frame: UnsafeRawPointer) throws(Failure) {
        arguments = try Self.buffers(frame + 40, "arguments")
        results = try Self.buffers(frame + 80, "results")
        let attrs = frame + 120
        guard attrs.load(as: Int.self) >= Size.attributes else { throw .unexpected("XLA_FFI_Attrs is too small") }
        let count = Int(attrs.load(fromByteOffset: 16, as: Int64.self))
        var attributes: [String: Attribute] = [:]
        if count > 0, let types = attrs.load(fromByteOffset: 24, as: UnsafePointer<Int32>?.self),
            let names = attrs.load(fromByteOffset: 32, as: UnsafePointer<UnsafeRawPointer>?.self),
            let values = attrs.load(fromByteOffset: 40, as: UnsafePointer<UnsafeRawPointer>?.self)
        {
            for k in 0..<count {
                let span = names[k]
                let name = String(
                    decoding: UnsafeRawBufferPointer(
                        start: span.load(as: UnsafeRawPointer?.self), count: span.load(fromByteOffset: 8, as: Int.self)),
                    as: UTF8.self)
                attributes[name] = Attribute(kind: types[k], value: values[k])
            }
        }
        self.attributes = attributes
    }

    private static func buffers(_ list: UnsafeRawPointer, _ what: String) throws(Failure) -> [Buffer] {
        guard list.load(as: Int.self) >= Size.arguments else { throw .unexpected("XLA_FFI_Args (\(what)) is too small") }
        let count = Int(list.load(fromByteOffset: 16, as: Int64.self))
        guard count > 0 else { return [] }
        guard let types = list.load(fromByteOffset: 24, as: UnsafePointer<Int32>?.self),
            let items = list.load(fromByteOffset: 32, as: UnsafePointer<UnsafeRawPointer>?.self)
        else { throw .unexpected("XLA FFI \(what): NULL list") }
        var buffers: [Buffer] = []
        buffers.reserveCapacity(count)
        for k in 0..<count {
            guard types[k] == 1 else { throw .unexpected("XLA FFI \(what)[\(k)] is not a buffer") }
            let buffer = items[k]
            guard buffer.load(as: Int.self) >= Size.buffer else { throw .unexpected("XLA_FFI_Buffer is too small") }
            let rank = Int(buffer.load(fromByteOffset: 32, as: Int64.self))
            let dims = buffer.load(fromByteOffset: 40, as: UnsafePointer<Int64>?.self)
            buffers.append(
                Buffer(
                    type: buffer.load(fromByteOffset: 16, as: Int32.self),
                    data: buffer.load(fromByteOffset: 24, as: UnsafeMutableRawPointer?.self),
                    dimensions: rank > 0 && dims != nil ? Array(UnsafeBufferPointer(start: dims, count: rank)) : []))
        }
        return buffers
    }

    /// The scalar attribute `name` as an integer (int32 or int64).
    func integer(_ name: String) throws(Failure) -> Int64 {
        guard let attribute = attributes[name], attribute.kind == 3 else {
            throw .unexpected("XLA FFI attribute \(name) is missing or not a scalar")
        }
        let value = attribute.value.load(fromByteOffset: 8, as: UnsafeRawPointer.self)
        switch attribute.value.load(as: Int32.self) {
        case DataType.s32: return Int64(value.load(as: Int32.self))
        case DataType.s64: return value.load(as: Int64.self)
        default: throw .unexpected("XLA FFI attribute \(name) is not an int32 or int64")
        }
    }

    /// The scalar attribute `name` as a double (float32 or float64).
    func real(_ name: String) throws(Failure) -> Double {
        guard let attribute = attributes[name], attribute.kind == 3 else {
            throw .unexpected("XLA FFI attribute \(name) is missing or not a scalar")
        }
        let value = attribute.value.load(fromByteOffset: 8, as: UnsafeRawPointer.self)
        switch attribute.value.load(as: Int32.self) {
        case DataType.f32: return Double(value.load(as: Float.self))
        case DataType.f64: return value.load(as: Double.self)
        default: throw .unexpected("XLA FFI attribute \(name) is not a float32 or float64")
        }
    }

    /// The float64 array attribute `name`: its elements and count.
    func doubles(_ name: String) throws(Failure) -> (UnsafePointer<Double>?, Int64) {
        guard let attribute = attributes[name], attribute.kind == 1,
            attribute.value.load(as: Int32.self) == DataType.f64
        else { throw .unexpected("XLA FFI attribute \(name) is missing or not a float64 array") }
        let count = attribute.value.load(fromByteOffset: 8, as: Int.self)
        let data = attribute.value.load(fromByteOffset: 16, as: UnsafePointer<Double>?.self)
        return (data, Int64(count))
    }

    /// The options of `softsortkit.h` from the attributes method, direction,
    /// path, window_width (integers), temperature, power, window_tolerance
    /// and accuracy (reals).
    func options() throws(Failure) -> CallOptions {
        var options = CallOptions.defaults
        options.method = Int32(truncatingIfNeeded: try integer("method"))
        options.direction = Int32(truncatingIfNeeded: try integer("direction"))
        options.path = Int32(truncatingIfNeeded: try integer("path"))
        options.windowWidth = Int32(truncatingIfNeeded: try integer("window_width"))
        options.temperature = try real("temperature")
        options.power = try real("power")
        options.windowTolerance = try real("window_tolerance")
        options.accuracy = try real("accuracy")
        return options
    }

    // ---- The handler's frame: metadata, stage, errors --------------------

    /// Runs `body` on the frame at `frame` when XLA executes the handler,
    /// answers XLA's metadata query, and turns a failure into an
    /// `XLA_FFI_Error` made by the runtime's `XLA_FFI_Error_Create`
    /// (`INVALID_ARGUMENT`, with the library's message). NULL means success.
    static func handle(
        _ frame: UnsafeMutableRawPointer?, _ body: (XLAFrame) throws -> Void
    ) -> UnsafeMutableRawPointer? {
        guard let frame else { return nil }
        let api = frame.load(fromByteOffset: 16, as: UnsafeRawPointer?.self)
        guard frame.load(as: Int.self) >= Size.callFrame else {
            return error(api, "XLA_FFI_CallFrame is smaller than the \(Size.callFrame) bytes this handler reads")
        }
        if let extensions = frame.load(fromByteOffset: 8, as: UnsafeMutableRawPointer?.self),
            extensions.load(fromByteOffset: 8, as: Int32.self) == 1
        {
            return metadata(extensions, api)
        }
        guard frame.load(fromByteOffset: 32, as: Int32.self) == 3 else {
            return error(api, "softsortkit's XLA handlers run at the execute stage only")
        }
        do {
            try body(try XLAFrame(UnsafeRawPointer(frame)))
            return nil
        } catch {
            return Self.error(api, Failure(error).message)
        }
    }

    /// Answers the metadata query (`XLA_FFI_Metadata_Extension`): the FFI API
    /// version these offsets follow (0.1) and no traits.
    private static func metadata(_ extensions: UnsafeMutableRawPointer, _ api: UnsafeRawPointer?) -> UnsafeMutableRawPointer? {
        guard extensions.load(as: Int.self) >= Size.metadataExtension,
            let metadata = extensions.load(fromByteOffset: 24, as: UnsafeMutableRawPointer?.self),
            metadata.load(as: Int.self) >= Size.metadata
        else { return error(api, "XLA_FFI_Metadata is smaller than this handler writes") }
        metadata.storeBytes(of: Size.version, toByteOffset: 8, as: Int.self)
        metadata.storeBytes(of: nil, toByteOffset: 16, as: UnsafeRawPointer?.self)
        metadata.storeBytes(of: 0, toByteOffset: 24, as: Int32.self)
        metadata.storeBytes(of: 1, toByteOffset: 28, as: Int32.self)
        metadata.storeBytes(of: 0, toByteOffset: 32, as: UInt32.self)
        return nil
    }

    private typealias ErrorCreate = @convention(c) (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer?

    /// An `XLA_FFI_Error` with `message` (`XLA_FFI_Error_Create_Args`:
    /// struct_size 0, extension_start 8, message 16, errc 24; 28 bytes). The
    /// runtime copies the message.
    private static func error(_ api: UnsafeRawPointer?, _ message: String) -> UnsafeMutableRawPointer? {
        guard let api, api.load(as: Int.self) >= Size.api,
            let create = api.load(fromByteOffset: 48, as: ErrorCreate?.self)
        else { return nil }  // no way to report: cannot happen with a runtime that passes its API
        return message.withCString { text in
            withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { arguments in
                let base = arguments.baseAddress!
                base.storeBytes(of: 28, as: Int.self)
                base.storeBytes(of: nil, toByteOffset: 8, as: UnsafeRawPointer?.self)
                base.storeBytes(of: UnsafeRawPointer(text), toByteOffset: 16, as: UnsafeRawPointer.self)
                base.storeBytes(of: 3, toByteOffset: 24, as: Int32.self)  // XLA_FFI_Error_Code_INVALID_ARGUMENT
                return create(base)
            }
        }
    }
}
