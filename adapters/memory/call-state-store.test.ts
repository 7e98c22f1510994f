import { describeCallStateStoreContract } from '../../test/contracts/call-state-store.contract.js';
import { createMemoryCallStateStore } from './call-state-store.js';

describeCallStateStoreContract('memory', () => createMemoryCallStateStore());
