/**
 * Optimizers ({@link dev.lanes.optim.Sgd} with optional momentum or Nesterov, {@link dev.lanes.optim.Adagrad},
 * {@link dev.lanes.optim.RmsProp}, {@link dev.lanes.optim.Adam}, {@link dev.lanes.optim.AdamW}) and
 * {@link dev.lanes.optim.LearningRateSchedule}s. The base {@link dev.lanes.optim.Optimizer} owns the step
 * counter, state slots, schedule, clipping and the layers' L1/L2 penalties; each optimizer adds one fused
 * kernel call per parameter buffer.
 */
package dev.lanes.optim;
