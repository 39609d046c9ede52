import { defineServiceControl } from './control.js';

export const serviceStop = defineServiceControl('stop');
