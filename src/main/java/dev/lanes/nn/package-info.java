/**
 * Models and their parts: {@link dev.lanes.nn.Sequential}, the layers ({@link dev.lanes.nn.Dense},
 * {@link dev.lanes.nn.ActivationLayer}, {@link dev.lanes.nn.Dropout}, {@link dev.lanes.nn.BatchNorm}),
 * {@link dev.lanes.nn.Activation}s, {@link dev.lanes.nn.Loss}es, {@link dev.lanes.nn.Initializer}s and
 * {@link dev.lanes.nn.Regularizer}s. Every forward and backward pass runs on the
 * {@link dev.lanes.kernel.Kernels}; parameters and workspaces live off-heap and are owned by the model.
 * Training is one package up, in {@code dev.lanes.train}.
 */
package dev.lanes.nn;
