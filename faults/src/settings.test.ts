import { describe, expect, it } from '@jest/globals';
import { loadSettings, SettingsError } from './settings.js';

describe('the suite settings', () => {
  it('has the issue’s durations by default', () => {
    const settings = loadSettings({ FAULTS_DATABASE: 'sqlite' });
    expect(settings.durations).toMatchObject({
      prequeuerDownS: 75,
      redisDownS: 20,
      receiverFailS: 30,
      neighbourFailS: 120,
    });
    expect(settings.database).toBe('sqlite');
  });

  it('reads durations, service environment and parallelism from FAULTS_* variables', () => {
    const settings = loadSettings({
      FAULTS_DATABASE: 'sqlite',
      FAULTS_RUN_S: '20',
      FAULTS_JOBS: '2',
      FAULTS_SERVICE_ENV: 'DISPATCHER_LOCK_DURATION_MS=5000, WORKER_COUNT=20',
    });
    expect(settings.durations.runS).toBe(20);
    expect(settings.jobs).toBe(2);
    expect(settings.serviceEnv).toEqual({ DISPATCHER_LOCK_DURATION_MS: '5000', WORKER_COUNT: '20' });
  });

  it('refuses a bad value, naming the variable', () => {
    expect(() => loadSettings({ FAULTS_RUN_S: 'soon' })).toThrow(SettingsError);
    expect(() => loadSettings({ FAULTS_RUN_S: '0' })).toThrow(/FAULTS_RUN_S="0": expected a number from 1 to 3600/);
    expect(() => loadSettings({ FAULTS_SERVICE_ENV: 'lower=1' })).toThrow(/FAULTS_SERVICE_ENV/);
    expect(() => loadSettings({ FAULTS_DATABASE: 'mongodb' })).toThrow(/FAULTS_DATABASE/);
  });
});
