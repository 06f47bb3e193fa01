import { PartialType, PickType } from '@nestjs/swagger';
import { IsBoolean, IsObject, ValidateIf } from 'class-validator';
import { CreateDeviceDto } from './create-device.dto';
import type { JsonObject } from '../json';

/**
 * PATCH /devices/{id}: only the fields given change. `null` clears `parentId` and `laneId`, and
 * resets `heartbeatIntervalS` / `missTolerance` to the type's default; `config` is replaced whole.
 * The id, type and zone are not patchable.
 *
 * The rules are CreateDeviceDto's: `name`, `parentId`, `laneId` and the health overrides come from
 * it, each validated only when given (`skipNullProperties: false`: `name: null` is refused, while
 * the fields creation already lets be null stay nullable). `maintenance` and `config` are declared
 * here because creation accepts `null` for them (= default) and a patch does not: they are set,
 * never cleared.
 */
export class UpdateDeviceDto extends PartialType(PickType(CreateDeviceDto, ['name', 'parentId', 'laneId', 'heartbeatIntervalS', 'missTolerance'] as const), {
  skipNullProperties: false,
}) {
  @ValidateIf((o: UpdateDeviceDto) => o.maintenance !== undefined)
  @IsBoolean()
  maintenance?: boolean;

  @ValidateIf((o: UpdateDeviceDto) => o.config !== undefined)
  @IsObject()
  config?: JsonObject;
}
