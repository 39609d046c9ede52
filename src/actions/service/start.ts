import { defineServiceControl } from './control.js';

export const serviceStart = defineServiceControl('start');
