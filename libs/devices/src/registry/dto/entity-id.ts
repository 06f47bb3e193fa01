import { applyDecorators } from '@nestjs/common';
import { IsString, Matches } from 'class-validator';
import { ENTITY_ID_PATTERN, ENTITY_ID_RULE } from '../registry-vocabulary';

/** A zone, lane, bay, device or failover-group id (see ENTITY_ID_PATTERN). */
export const IsEntityId = (options: { each?: boolean } = {}): PropertyDecorator =>
  applyDecorators(
    IsString(options),
    Matches(ENTITY_ID_PATTERN, { ...options, message: `$property must be ${ENTITY_ID_RULE}` }),
  );
