/**
 * The Open Inference Protocol gRPC adapter, wire-compatible with Triton's {@code inference.GRPCInferenceService} (so
 * tritonclient, KServe and MLServer gRPC clients work unchanged), plus the standard {@code grpc.health.v1.Health}
 * service for Kubernetes probes.
 *
 * <p>The adapter is thin: {@link dev.kiln.protocol.grpc.TensorCodec} decodes protobuf tensors into core {@link
 * dev.kiln.core.tensor.Tensor}s and back, {@link dev.kiln.protocol.grpc.GrpcInferenceService} calls {@link
 * dev.kiln.core.serving.InferenceCore}, and {@link dev.kiln.protocol.grpc.GrpcErrors} is the one place where core
 * errors become gRPC statuses. {@link dev.kiln.protocol.grpc.GrpcServer} is the wiring seam that production and tests
 * share. Generated protobuf classes live in {@code dev.kiln.protocol.grpc.proto}.
 */
package dev.kiln.protocol.grpc;
