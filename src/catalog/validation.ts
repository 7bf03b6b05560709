// Runs the core's predictions against every measurement in data/.
import { predict, summarise, type Check, type Summary } from '../core/validate.ts';
import type { Catalog } from './load.ts';

export interface Validation { checks: Check[]; calibration: Summary; validation: Summary; calibrationWithin15: boolean }

export function runValidation(cat: Catalog): Validation {
  const checks = cat.measurements.map((m) => {
    const chip = cat.chipById.get(m.chip)!;
    return predict(m, cat.modelById.get(m.model)!, chip, cat.family(chip), cat.efficiency.runtimeReserve.fraction);
  });
  const cal = checks.filter((c) => c.measurement.use === 'calibration');
  const val = checks.filter((c) => c.measurement.use === 'validation');
  return {
    checks, calibration: summarise(cal), validation: summarise(val),
    calibrationWithin15: cal.every((c) => c.error !== null && Math.abs(c.error) <= 0.15),
  };
}
