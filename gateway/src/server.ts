import { runService } from '@platform/kit';
import { buildApp } from './app';
import { configSchema } from './config';

void runService({ configSchema, buildApp });
