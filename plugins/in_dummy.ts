import sample from './in_sample.ts';
import { defineInput } from '../src/plugin-api/index.ts';

/** Fluentd registers in_sample under both names; `@type dummy` is the same plugin. */
export default defineInput({ ...sample, type: 'dummy' });
