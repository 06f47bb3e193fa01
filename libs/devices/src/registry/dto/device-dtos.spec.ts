import { BadRequestException, ValidationPipe, type Type } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';
import type { ValidationError } from 'class-validator';
import { CreateDeviceDto } from './create-device.dto';
import { UpdateDeviceDto } from './update-device.dto';

/**
 * The device bodies as the app validates them (libs/runtime start-app: transform, whitelist,
 * forbidNonWhitelisted, 400 with the failing fields). Pins what POST /devices and PATCH
 * /devices/{id} accept, whatever way the two DTOs share their declarations.
 */
const pipe = new ValidationPipe({
  transform: true,
  whitelist: true,
  forbidNonWhitelisted: true,
  exceptionFactory: (errors: ValidationError[]) => new BadRequestException({ fields: fieldErrors(errors) }),
});

function fieldErrors(errors: ValidationError[]): Record<string, string[]> {
  return Object.fromEntries(errors.map((e) => [e.property, Object.values(e.constraints ?? {})]));
}

/** The failing fields (with their messages), or the validated object. */
async function validate(metatype: Type<unknown>, body: unknown): Promise<{ fields: Record<string, string[]> } | { value: Record<string, unknown> }> {
  try {
    return { value: (await pipe.transform(body, { type: 'body', metatype })) as Record<string, unknown> };
  } catch (error) {
    if (error instanceof BadRequestException) return error.getResponse() as { fields: Record<string, string[]> };
    throw error;
  }
}

const failing = async (metatype: Type<unknown>, body: unknown): Promise<string[]> => {
  const result = await validate(metatype, body);
  return 'fields' in result ? Object.keys(result.fields).sort() : [];
};

const valid = { type: 'GATE', name: 'Gate 1', zoneId: 'T1' };

describe('CreateDeviceDto (POST /devices)', () => {
  it('accepts the minimal body and every optional field, null included', async () => {
    expect(await failing(CreateDeviceDto, valid)).toEqual([]);
    expect(
      await failing(CreateDeviceDto, {
        ...valid,
        id: 'T1-GATE-01',
        laneId: 'L1',
        parentId: 'SW-1',
        heartbeatIntervalS: 3600,
        missTolerance: 1,
        maintenance: true,
        config: { a: 1 },
      }),
    ).toEqual([]);
    const nulls = { id: null, laneId: null, parentId: null, heartbeatIntervalS: null, missTolerance: null, maintenance: null, config: null };
    expect(await failing(CreateDeviceDto, { ...valid, ...nulls })).toEqual([]);
  });

  it('requires type, name and zoneId (null is missing)', async () => {
    expect(await failing(CreateDeviceDto, {})).toEqual(['name', 'type', 'zoneId']);
    expect(await failing(CreateDeviceDto, { type: null, name: null, zoneId: null })).toEqual(['name', 'type', 'zoneId']);
  });

  it('refuses bad values and unknown fields, naming each', async () => {
    const bad = {
      id: '-x',
      type: 'ROBOT',
      name: '',
      zoneId: 'a b',
      laneId: 7,
      parentId: '',
      heartbeatIntervalS: 0,
      missTolerance: 1.5,
      maintenance: 'yes',
      config: 'x',
      secret: 's',
    };
    expect(await failing(CreateDeviceDto, bad)).toEqual(
      ['config', 'heartbeatIntervalS', 'id', 'laneId', 'maintenance', 'missTolerance', 'name', 'parentId', 'secret', 'type', 'zoneId'].sort(),
    );
    expect(await failing(CreateDeviceDto, { ...valid, name: 'n'.repeat(129), heartbeatIntervalS: 3601, missTolerance: 101 })).toEqual([
      'heartbeatIntervalS',
      'missTolerance',
      'name',
    ]);
    expect(await failing(CreateDeviceDto, { ...valid, config: [] })).toEqual(['config']);
  });
});

describe('UpdateDeviceDto (PATCH /devices/{id}: maintenance, config, parent, name, lane, health overrides)', () => {
  it('accepts any subset of its fields; null clears parentId, laneId and the health overrides', async () => {
    expect(await failing(UpdateDeviceDto, {})).toEqual([]); // an empty patch is the service's 400
    for (const body of [
      { name: 'Camera 1' },
      { maintenance: false },
      { config: { exposure: 'auto' } },
      { parentId: 'SW-1' },
      { laneId: 'L1' },
      { heartbeatIntervalS: 10, missTolerance: 3 },
      { parentId: null, laneId: null, heartbeatIntervalS: null, missTolerance: null },
    ]) {
      expect([body, await failing(UpdateDeviceDto, body)]).toEqual([body, []]);
    }
  });

  it('refuses null for name, maintenance and config (they cannot be cleared)', async () => {
    expect(await failing(UpdateDeviceDto, { name: null, maintenance: null, config: null })).toEqual(['config', 'maintenance', 'name']);
    expect(await validate(UpdateDeviceDto, { maintenance: null })).toEqual({ fields: { maintenance: ['maintenance must be a boolean value'] } });
  });

  it('refuses the fields it does not own (id, type, zoneId) and unknown ones', async () => {
    expect(await failing(UpdateDeviceDto, { id: 'x', type: 'GATE', zoneId: 'T1', secret: 's' })).toEqual(['id', 'secret', 'type', 'zoneId']);
    expect(await validate(UpdateDeviceDto, { zoneId: 'T1' })).toEqual({ fields: { zoneId: ['property zoneId should not exist'] } });
  });

  it('refuses bad values with the same messages as creation', async () => {
    const bad = { name: '', maintenance: 'yes', config: 'x', parentId: '', laneId: 7, heartbeatIntervalS: 0, missTolerance: 101 };
    const update = await validate(UpdateDeviceDto, bad);
    const create = await validate(CreateDeviceDto, { ...valid, ...bad });
    expect('fields' in update && Object.keys(update.fields).sort()).toEqual(Object.keys(bad).sort());
    for (const field of Object.keys(bad)) {
      expect([field, 'fields' in update && update.fields[field]]).toEqual([field, 'fields' in create && create.fields[field]]);
    }
  });

  it('keeps only the given fields (nothing defaulted in)', async () => {
    const result = await validate(UpdateDeviceDto, { maintenance: true });
    expect('value' in result && Object.entries(result.value).filter(([, v]) => v !== undefined)).toEqual([['maintenance', true]]);
  });
});

describe('OpenAPI', () => {
  it('both bodies keep their names and declare no properties to Swagger', () => {
    expect(CreateDeviceDto.name).toBe('CreateDeviceDto');
    expect(UpdateDeviceDto.name).toBe('UpdateDeviceDto');
    for (const dto of [CreateDeviceDto, UpdateDeviceDto]) {
      expect(Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, dto.prototype)).toBeUndefined();
    }
  });
});
